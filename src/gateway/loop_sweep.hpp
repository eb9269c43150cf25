#pragma once
// One periodic sweep per socket loop over the connections that loop owns: idle timeout,
// maximum duration, a send queue that stayed full, the closing handshake's deadline. It runs on
// the loop itself, so what it reads (last activity, frames in flight, closing since) is
// loop-only state that needs no atomic, and no other thread reaches into a connection. One
// timer per loop instead of one per connection: a second of slack on a 10-minute idle timeout
// is invisible.
//
// Beside it, the loop's frame deadlines (the integration timeout of each frame in flight): one
// timer per loop for the earliest, instead of one armed and cancelled per frame. Deadlines are
// exact (a 300 ms timeout is not rounded to the sweep's second), and since every frame has the
// same timeout they arrive in order, so adding and removing one is O(1).
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include <boost/intrusive/list.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace gateway {

// What the sweep asks of a connection, on its loop.
class Sweepable {
 public:
  virtual ~Sweepable() = default;
  virtual void sweep(std::chrono::steady_clock::time_point now) = 0;
};

// One frame's integration deadline, owned by whoever waits for the frame; leaving the list
// (removed, or destroyed) is automatic.
class FrameDeadline
    : public boost::intrusive::list_base_hook<
          boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
 public:
  explicit FrameDeadline(std::function<void()> expired) : expired_(std::move(expired)) {}
  bool armed() const { return is_linked(); }
  void disarm() { unlink(); }

 private:
  friend class LoopSweep;
  std::chrono::steady_clock::time_point at_;
  std::function<void()> expired_;
};

class LoopSweep {
 public:
  LoopSweep(boost::asio::io_context& loop, std::chrono::steady_clock::duration period)
      : timer_(loop), period_(period), deadline_timer_(loop) {}
  ~LoopSweep() { deadlines_.clear(); }  // unlinks every hook: its owners may outlive the loop

  // Loop-only. A connection is swept from add() until remove() (or until it is gone).
  void add(const std::shared_ptr<Sweepable>& s) { members_[s.get()] = s; }
  void remove(const Sweepable* s) { members_.erase(s); }
  std::size_t size() const { return members_.size(); }

  // Arms the periodic sweep (call once, before the loop runs); stop() ends it.
  void start();
  void stop();
  // One pass over every member at once (tests; the timer's passes go in slices of `slice`).
  void run_once(std::chrono::steady_clock::time_point now);
  static constexpr std::size_t slice = 256;

  // Loop-only. `d` expires (its callback runs, on the loop) at `at` unless disarmed before.
  void arm_deadline(FrameDeadline& d, std::chrono::steady_clock::time_point at);
  // Runs the callbacks of every deadline up to `now` (the timer's work).
  void expire_deadlines(std::chrono::steady_clock::time_point now);

 private:
  void arm();
  void continue_pass();
  std::vector<std::shared_ptr<Sweepable>> snapshot();
  void wait_for_first_deadline();

  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::duration period_;
  bool stopped_ = false;
  std::unordered_map<const Sweepable*, std::weak_ptr<Sweepable>> members_;
  // The timer's pass under way: its members, the next to sweep and the time it judges by.
  std::vector<std::shared_ptr<Sweepable>> pass_;
  std::size_t next_ = 0;
  std::chrono::steady_clock::time_point pass_at_;

  boost::intrusive::list<FrameDeadline, boost::intrusive::constant_time_size<false>> deadlines_;
  boost::asio::steady_timer deadline_timer_;
  std::chrono::steady_clock::time_point deadline_timer_at_;  // valid while deadline_waiting_
  bool deadline_waiting_ = false;
};

}  // namespace gateway
