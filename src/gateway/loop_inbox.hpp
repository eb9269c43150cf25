#pragma once
// Frames posted to one socket thread's connections from other threads (handlers fanning out),
// gathered and handed over in batches: one wake-up of the loop per batch instead of one per
// frame, and every frame a connection got in the batch leaves in one gathered write.
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "apigw/connections.hpp"

namespace gateway {

// What a connection does with a delivered frame, on its own loop.
class Deliverable {
 public:
  virtual ~Deliverable() = default;
  virtual void deliver(apigw::SharedFrame frame) = 0;  // queue it
  virtual void flush() = 0;                            // start writing what is queued
};

class LoopInbox {
 public:
  explicit LoopInbox(boost::asio::io_context& loop) : loop_(loop) {}

  // Thread-safe; never blocks on I/O.
  void post(std::shared_ptr<Deliverable> to, apigw::SharedFrame frame);

 private:
  struct Item {
    std::shared_ptr<Deliverable> to;
    apigw::SharedFrame frame;
  };
  void drain();

  boost::asio::io_context& loop_;
  std::mutex mutex_;
  std::vector<Item> items_;  // guarded by mutex_
  bool scheduled_ = false;   // guarded by mutex_: a drain is posted and has not started
  std::vector<Item> batch_;  // loop-only
};

}  // namespace gateway
