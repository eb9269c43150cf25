#pragma once
// One periodic sweep per socket loop over the connections that loop owns: idle timeout,
// maximum duration, a send queue that stayed full, the closing handshake's deadline. It runs on
// the loop itself, so what it reads (last activity, frames in flight, closing since) is
// loop-only state that needs no atomic, and no other thread reaches into a connection. One
// timer per loop instead of one per connection: a second of slack on a 10-minute idle timeout
// is invisible.
#include <chrono>
#include <memory>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace gateway {

// What the sweep asks of a connection, on its loop.
class Sweepable {
 public:
  virtual ~Sweepable() = default;
  virtual void sweep(std::chrono::steady_clock::time_point now) = 0;
};

class LoopSweep {
 public:
  LoopSweep(boost::asio::io_context& loop, std::chrono::steady_clock::duration period)
      : timer_(loop), period_(period) {}

  // Loop-only. A connection is swept from add() until remove() (or until it is gone).
  void add(const std::shared_ptr<Sweepable>& s) { members_[s.get()] = s; }
  void remove(const Sweepable* s) { members_.erase(s); }
  std::size_t size() const { return members_.size(); }

  // Arms the periodic sweep (call once, before the loop runs); stop() ends it.
  void start();
  void stop();
  // One pass over every member (the timer's work; tests call it directly).
  void run_once(std::chrono::steady_clock::time_point now);

 private:
  void arm();

  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::duration period_;
  bool stopped_ = false;
  std::unordered_map<const Sweepable*, std::weak_ptr<Sweepable>> members_;
};

}  // namespace gateway
