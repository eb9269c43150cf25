#pragma once
// One thread running one io_context: the generator's connections are spread over several, so no
// connection is touched by two threads and nothing on the receive path needs a lock.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

#include "bench/histogram.hpp"

namespace bench {

// What the connections of one worker measured; written only on the worker's thread.
struct WorkerStats {
  Histogram latency_us;          // per delivery of a bench message
  std::uint64_t delivered = 0;   // bench messages received
  std::uint64_t duplicates = 0;  // deliveries beyond a message's expected count
  std::uint64_t misrouted = 0;   // deliveries to a connection outside the sender's room
  std::uint64_t refused = 0;     // sends the server refused over its rate limit
  std::uint64_t refused_deliveries = 0;  // what those sends would have delivered (room sizes)
  std::uint64_t errors = 0;      // other error answers (Parley's "type":"error", handler failures)
};

class Worker {
 public:
  Worker();
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  boost::asio::io_context& io() { return io_; }
  WorkerStats& stats() { return stats_; }  // on this worker's thread only
  // Data messages received by this worker's connections: one writer (this thread), so a plain
  // store, not a locked add, and any thread may read it.
  void count_frame() { frames_.store(frames_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }
  std::uint64_t frames() const { return frames_.load(std::memory_order_relaxed); }

  // Runs `f` on the worker's thread and waits for it: the barrier the main thread uses to read
  // or reset the stats between phases without a data race.
  void run_and_wait(const std::function<void()>& f);
  // Takes and clears this worker's stats.
  WorkerStats collect();
  // Stops the loop and joins the thread; pending handlers are dropped.
  void stop();

 private:
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  WorkerStats stats_;
  alignas(64) std::atomic<std::uint64_t> frames_{0};
  std::thread thread_;
};

}  // namespace bench
