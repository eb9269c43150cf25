#pragma once
// Frames posted to one socket thread's connections from other threads (handlers fanning out),
// gathered and handed over in batches: one wake-up of the loop per batch instead of one per
// frame, and every frame a connection got in the batch leaves in one gathered write.
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "apigw/connections.hpp"

namespace gateway {

// What a connection does with a delivered frame, on its own loop.
class Deliverable {
 public:
  // What the caller of deliver() owes the connection.
  enum class Owed { nothing, flush, lingering_flush };
  virtual ~Deliverable() = default;
  // Queues it. `flush` when this is the first frame since the last flush(), so the caller owes
  // one (a connection given 16 frames in a drain is flushed once, not 16 times);
  // `lingering_flush` when it is the first and may wait (PostOptions::linger): the caller owes a
  // flush within LoopInbox::linger. A frame that may not wait, given after one that may, is
  // owed a flush at once (which writes both).
  virtual Owed deliver(apigw::SharedFrame frame, bool may_linger) = 0;
  virtual void flush() = 0;  // start writing what is queued; nothing when nothing is
};

class LoopInbox {
 public:
  // The longest a frame posted with PostOptions::linger waits for a write.
  static constexpr std::chrono::milliseconds linger{20};

  explicit LoopInbox(boost::asio::io_context& loop) : loop_(loop), linger_timer_(loop) {}

  struct Item {
    std::shared_ptr<Deliverable> to;
    apigw::SharedFrame frame;
    bool may_linger = false;
  };

  // Hands `items` over to the loop (moves them out; `items` comes back empty, maybe with the
  // capacity of a vector the loop has spent). Thread-safe; never blocks on I/O; at most one
  // wake-up of the loop however many items.
  void push(std::vector<Item>& items);

 private:
  void drain();
  // With mutex_ held: whether this caller must post the drain (none is pending).
  bool claim_drain();
  void schedule_drain();

  boost::asio::io_context& loop_;
  std::mutex mutex_;
  std::vector<Item> items_;  // guarded by mutex_
  bool scheduled_ = false;   // guarded by mutex_: a drain is posted and has not started
  std::vector<Item> batch_;  // loop-only
  // Loop-only: connections given frames and not flushed yet, flushed a slice at a time so that
  // the loop's other work (a handler's answer letting a sender's next message in) runs in
  // between; frames that arrive for a connection meanwhile leave in the same write.
  std::vector<std::shared_ptr<Deliverable>> to_flush_;
  std::size_t flushed_ = 0;
  bool flushing_ = false;
  void flush_some();
  // Loop-only: connections owed a flush within `linger`, all flushed when the timer fires.
  // One timer per loop, not per connection.
  std::vector<std::shared_ptr<Deliverable>> lingering_;
  boost::asio::steady_timer linger_timer_;
  bool linger_armed_ = false;
  void flush_lingering();
};

// The frames of one post, gathered by socket thread and handed to each loop's inbox when the
// post is done: one lock and at most one wake-up per loop for a whole fan-out, instead of one
// lock per frame that the handler threads and the loop fight over. One caller's (not
// thread-safe); frames to one connection keep their order.
class Outbox {
 public:
  // `expected`: about how many frames the post has (its recipients), so that each inbox's share
  // is allocated once instead of grown by doubling through a 1,000-member fan-out.
  explicit Outbox(apigw::PostOptions options, std::size_t expected = 0)
      : options_(options), expected_(expected) {}
  ~Outbox() { hand_over(); }
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  void add(LoopInbox& inbox, std::shared_ptr<Deliverable> to, apigw::SharedFrame frame);
  apigw::PostOptions options() const { return options_; }
  // Gives every inbox its share now (the destructor does it too).
  void hand_over();

 private:
  apigw::PostOptions options_;
  std::size_t expected_;
  // By inbox: a node has one per socket thread, so a short list.
  std::vector<std::pair<LoopInbox*, std::vector<LoopInbox::Item>>> by_inbox_;
};

}  // namespace gateway
