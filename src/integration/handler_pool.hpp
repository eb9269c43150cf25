#pragma once
// The threads that run in-process handlers, and lanes on them (a connection's frames: in order,
// one at a time, on any thread).
//
// Unlike a pool that wakes an idle thread for every task (Asio's thread_pool, used before),
// this one runs on as few threads as keep up. The first thread takes everything queued, one
// entry after another; the others are helpers that join only when the oldest queued work has
// waited `join_after` (a handler that blocks, or more work than one thread keeps up with) and
// leave again when the queue is empty. With handlers that take microseconds (SQLite) a burst
// is then handled by one thread in a row: no wake-up and no context switch per frame, and the
// writes of a loop turn's frames share one commit (core/commit_hold.hpp). With handlers that
// wait (DynamoDB over HTTP, a synced commit) every thread works, as before.
//
// One helper at a time watches the queue (a timed wait of `join_after` while the pool is busy);
// the others, and the watcher once the pool has been idle for a while, sleep until woken.
// `join_after` 0 is the eager pool: a helper is woken whenever work waits for a thread (for
// handlers that mostly wait, as on DynamoDB).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/metrics.hpp"

namespace integration {

class HandlerPool {
 public:
  using Task = std::function<void()>;
  using Clock = std::chrono::steady_clock;

  // Tasks posted to one lane run in the order posted, never two at once.
  class Lane {
   private:
    friend class HandlerPool;
    std::vector<Task> tasks_;  // guarded by the pool's mutex
    bool queued_or_running_ = false;
  };

  HandlerPool(unsigned threads, std::chrono::microseconds join_after);
  ~HandlerPool();  // join()
  HandlerPool(const HandlerPool&) = delete;
  HandlerPool& operator=(const HandlerPool&) = delete;

  std::shared_ptr<Lane> open_lane() { return std::make_shared<Lane>(); }
  void post(Task task);
  void post(const std::shared_ptr<Lane>& lane, Task task);

  // Runs everything queued (and what it queues) to the end, then stops the threads. Posts after
  // it are not run. Idempotent; not from a pool thread.
  void join();

  // How often a helper joined the first thread (this pool's; /metrics counts every pool's as
  // parley_handler_pool_helper_joins_total).
  std::uint64_t helper_joins() const;

 private:
  struct Entry {
    std::shared_ptr<Lane> lane;  // null: `task` alone
    Task task;
    Clock::time_point queued_at;
  };

  void work(bool first);
  // With the lock held: runs the queue's first entry (unlocking meanwhile).
  void run_front(std::unique_lock<std::mutex>& lock);
  // With the lock held: whether the oldest queued work has waited long enough for a helper.
  bool overdue(Clock::time_point now) const;
  // With the lock held: queues it and wakes whoever should take it.
  void enqueue(Entry entry);
  int helpers() const { return static_cast<int>(threads_.size()) - 1; }

  const std::chrono::microseconds join_after_;
  // A helper that saw the pool idle this long stops watching and sleeps until woken.
  const std::chrono::microseconds park_after_;
  mutable std::mutex mutex_;
  std::deque<Entry> ready_;
  std::condition_variable first_cv_;   // the first thread's
  std::condition_variable helper_cv_;  // the helpers'
  bool first_awake_ = true;            // the first thread is not asleep (or was told to wake)
  bool watching_ = false;              // a helper watches the queue
  int helpers_asleep_ = 0;             // helpers waiting on helper_cv_ without a timeout
  int helpers_joined_ = 0;             // helpers running entries
  int running_ = 0;                    // threads running an entry
  Clock::time_point last_busy_;        // when an entry last finished or was queued
  bool stopping_ = false;
  std::uint64_t helper_joins_ = 0;
  core::metrics::Counter& helper_joins_total_;
  std::vector<std::thread> threads_;
};

}  // namespace integration
