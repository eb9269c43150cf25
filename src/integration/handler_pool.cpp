#include "integration/handler_pool.hpp"

#include <algorithm>
#include <utility>

namespace integration {

namespace {
// A helper that has seen the pool idle this long stops its timed waits: an idle server sleeps.
constexpr std::chrono::milliseconds park_after{50};
}  // namespace

HandlerPool::HandlerPool(unsigned threads, std::chrono::microseconds join_after)
    : join_after_(std::max(join_after, std::chrono::microseconds(0))),
      park_after_(std::max<std::chrono::microseconds>(park_after, 4 * join_after_)),
      last_busy_(Clock::now()),
      helper_joins_total_(core::metrics::registry().counter(
          "parley_handler_pool_helper_joins_total",
          "Times a handler thread beyond the first began taking frames because one had waited "
          "for a thread (1 ms on SQLite: a handler that blocks, or more work than one thread "
          "keeps up with; at once on DynamoDB)")) {
  threads = std::max(threads, 1u);
  threads_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this, i] { work(i == 0); });
}

HandlerPool::~HandlerPool() { join(); }

void HandlerPool::join() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    first_awake_ = true;
  }
  first_cv_.notify_all();
  helper_cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

std::uint64_t HandlerPool::helper_joins() const {
  std::lock_guard lock(mutex_);
  return helper_joins_;
}

void HandlerPool::post(Task task) {
  std::lock_guard lock(mutex_);
  enqueue({nullptr, std::move(task), Clock::now()});
}

void HandlerPool::post(const std::shared_ptr<Lane>& lane, Task task) {
  std::lock_guard lock(mutex_);
  lane->tasks_.push_back(std::move(task));
  // Queued already, or running: whoever runs it takes this task too, or queues the lane again.
  if (std::exchange(lane->queued_or_running_, true)) return;
  enqueue({lane, {}, Clock::now()});
}

// With the lock held.
void HandlerPool::enqueue(Entry entry) {
  const auto now = entry.queued_at;
  ready_.push_back(std::move(entry));
  last_busy_ = now;
  if (!first_awake_) {
    first_awake_ = true;
    first_cv_.notify_one();
  } else if (helpers_joined_ < helpers() && overdue(now)) {
    helper_cv_.notify_one();  // the first thread is stuck or behind: a helper joins now
  } else if (!watching_ && helpers_asleep_ > 0) {
    helper_cv_.notify_one();  // the pool is busy again after a pause: a helper watches
  }
}

bool HandlerPool::overdue(Clock::time_point now) const {
  return !ready_.empty() && now - ready_.front().queued_at >= join_after_;
}

void HandlerPool::run_front(std::unique_lock<std::mutex>& lock) {
  Entry entry = std::move(ready_.front());
  ready_.pop_front();
  ++running_;
  if (entry.lane) {
    // The lane's tasks so far, in order; what is posted to it meanwhile waits for the next turn.
    std::vector<Task> tasks;
    tasks.swap(entry.lane->tasks_);
    lock.unlock();
    for (auto& task : tasks) task();
    tasks.clear();  // what the tasks hold goes outside the lock
    lock.lock();
    Lane& lane = *entry.lane;
    if (lane.tasks_.empty()) {
      lane.queued_or_running_ = false;
      if (lane.tasks_.capacity() == 0) lane.tasks_.swap(tasks);  // keeps the capacity
    } else {
      ready_.push_back({std::move(entry.lane), {}, Clock::now()});
    }
  } else {
    lock.unlock();
    entry.task();
    entry = {};
    lock.lock();
  }
  --running_;
  last_busy_ = Clock::now();
}

void HandlerPool::work(bool first) {
  std::unique_lock lock(mutex_);
  if (first) {
    for (;;) {
      if (!ready_.empty()) {
        run_front(lock);
        continue;
      }
      if (stopping_) return;
      first_awake_ = false;
      first_cv_.wait(lock, [this] { return first_awake_; });
    }
  }
  // A helper: runs entries only once the oldest has waited join_after (or while stopping), until
  // the queue is empty again; meanwhile watches, or sleeps when another watches or all is idle.
  bool joined = false;
  for (;;) {
    const auto now = Clock::now();
    if (!ready_.empty() && (joined || stopping_ || overdue(now))) {
      if (!joined) {
        joined = true;
        ++helpers_joined_;
        ++helper_joins_;
        helper_joins_total_.inc();
      }
      run_front(lock);
      continue;
    }
    if (joined) {
      joined = false;
      --helpers_joined_;
    }
    if (stopping_) return;
    // Eager (join_after 0): every post that finds the first thread busy wakes a helper, so
    // none needs to watch.
    const bool idle = ready_.empty() && running_ == 0 && now - last_busy_ >= park_after_;
    if (join_after_.count() > 0 && !watching_ && !idle) {
      watching_ = true;
      helper_cv_.wait_for(lock, join_after_);
      watching_ = false;
      continue;
    }
    ++helpers_asleep_;
    helper_cv_.wait(lock);
    --helpers_asleep_;
  }
}

}  // namespace integration
