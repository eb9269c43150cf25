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
  // `lingering_flush` when it is the first and may wait (apigw::Lingering): the caller owes a
  // flush within LoopInbox::linger. A frame that may not wait, given after one that may, is
  // owed a flush at once (which writes both).
  virtual Owed deliver(apigw::SharedFrame frame, bool may_linger) = 0;
  virtual void flush() = 0;  // start writing what is queued; nothing when nothing is
};

class LoopInbox {
 public:
  // The longest a frame posted under apigw::Lingering waits for a write.
  static constexpr std::chrono::milliseconds linger{20};

  explicit LoopInbox(boost::asio::io_context& loop) : loop_(loop), linger_timer_(loop) {}

  // Thread-safe; never blocks on I/O. Within a Batch on this thread the frame is held back
  // until the Batch ends. Under apigw::Lingering the frame may wait up to `linger` for others
  // to the same connection to share its write.
  void post(std::shared_ptr<Deliverable> to, apigw::SharedFrame frame);

  // While one is alive on a thread, that thread's posts to every inbox are gathered and each
  // inbox gets its share when it ends: one lock and at most one wake-up per loop for a whole
  // fan-out, instead of one lock per frame that four handler threads and the loop fight over.
  // Nestable; frames to one connection keep their order.
  class Batch {
   public:
    Batch();
    ~Batch();
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;
  };

  struct Item {
    std::shared_ptr<Deliverable> to;
    apigw::SharedFrame frame;
    bool may_linger = false;
  };

 private:
  void drain();
  // Hands `items` over to the loop (moves them out).
  void push(std::vector<Item>& items);
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

}  // namespace gateway
