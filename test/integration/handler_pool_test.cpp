// The handler pool: lanes keep order, a burst of short tasks stays on one thread, and a task
// that blocks does not hold the others (a helper joins), even after the pool slept.
#include "integration/handler_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using integration::HandlerPool;

// Counts down to zero; wait() gives up after `limit`.
class Countdown {
 public:
  explicit Countdown(int n) : left_(n) {}
  void done() {
    std::lock_guard lock(mutex_);
    if (--left_ == 0) zero_.notify_all();
  }
  bool wait(std::chrono::milliseconds limit = 10s) {
    std::unique_lock lock(mutex_);
    return zero_.wait_for(lock, limit, [this] { return left_ <= 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable zero_;
  int left_;
};

// A task that holds its thread until open() (or the test's end).
class Gate {
 public:
  void pass() {
    std::unique_lock lock(mutex_);
    entered_ = true;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
  }
  bool wait_entered() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [this] { return entered_; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  ~Gate() { open(); }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool entered_ = false;
  bool open_ = false;
};

TEST(HandlerPoolTest, ALanesTasksRunInOrderAndNeverTwoAtOnce) {
  // Helpers join at once: as much concurrency as four threads give.
  HandlerPool pool(4, 1us);
  constexpr int lanes = 8, per_lane = 400;
  struct Seen {
    std::vector<int> order;
    std::atomic<int> running{0};
    std::atomic<bool> overlapped{false};
  };
  std::vector<Seen> seen(lanes);
  Countdown all(lanes * per_lane);
  std::vector<std::thread> posters;
  for (int l = 0; l < lanes; ++l) {
    posters.emplace_back([&, l] {
      auto lane = pool.open_lane();
      for (int i = 0; i < per_lane; ++i) {
        pool.post(lane, [&, l, i] {
          if (seen[l].running.fetch_add(1) != 0) seen[l].overlapped = true;
          seen[l].order.push_back(i);  // one at a time, or `overlapped` says otherwise
          if (i % 50 == 0) std::this_thread::sleep_for(100us);
          seen[l].running.fetch_sub(1);
          all.done();
        });
      }
    });
  }
  for (auto& p : posters) p.join();
  ASSERT_TRUE(all.wait());
  for (int l = 0; l < lanes; ++l) {
    EXPECT_FALSE(seen[l].overlapped) << "lane " << l;
    ASSERT_EQ(seen[l].order.size(), static_cast<std::size_t>(per_lane));
    for (int i = 0; i < per_lane; ++i) ASSERT_EQ(seen[l].order[i], i) << "lane " << l;
  }
}

TEST(HandlerPoolTest, ABurstOfShortTasksRunsOnOneThreadWithoutWakingTheOthers) {
  // A pool that woke an idle thread per task (Asio's thread_pool) spreads this over all four.
  HandlerPool pool(4, 10s);
  constexpr int tasks = 2000;
  std::mutex mutex;
  std::set<std::thread::id> threads;
  Countdown all(tasks);
  auto lane = pool.open_lane();
  for (int i = 0; i < tasks; ++i) {
    auto task = [&] {
      {
        std::lock_guard lock(mutex);
        threads.insert(std::this_thread::get_id());
      }
      all.done();
    };
    if (i % 2 == 0)
      pool.post(task);
    else
      pool.post(lane, task);
  }
  ASSERT_TRUE(all.wait());
  EXPECT_EQ(threads.size(), 1u);
  EXPECT_EQ(pool.helper_joins(), 0u);
}

TEST(HandlerPoolTest, ATaskThatBlocksDoesNotHoldTheOnesQueuedBehindIt) {
  Gate gate;  // outlives the pool, whose threads it holds
  HandlerPool pool(2, 2ms);
  pool.post([&] { gate.pass(); });
  ASSERT_TRUE(gate.wait_entered());
  // Nothing is posted after these: the watching helper has to see them waiting.
  Countdown behind(2);
  auto lane = pool.open_lane();
  pool.post([&] { behind.done(); });
  pool.post(lane, [&] { behind.done(); });
  EXPECT_TRUE(behind.wait(5s)) << "the tasks behind a blocked one waited for it";
  EXPECT_GE(pool.helper_joins(), 1u);
  EXPECT_GE(core::metrics::registry().counter("parley_handler_pool_helper_joins_total", "").value(),
            pool.helper_joins());
  gate.open();
}

TEST(HandlerPoolTest, AnEagerPoolWakesAHelperForAnythingThatWaits) {
  Gate gate;
  HandlerPool pool(2, 0us);  // as for handlers that wait on the network
  pool.post([&] { gate.pass(); });
  ASSERT_TRUE(gate.wait_entered());
  std::this_thread::sleep_for(100ms);  // no helper watches in this mode: it sleeps
  Countdown behind(1);
  pool.post([&] { behind.done(); });
  EXPECT_TRUE(behind.wait(5s));
  EXPECT_EQ(pool.helper_joins(), 1u);
  gate.open();
}

TEST(HandlerPoolTest, AHelperStillJoinsAfterThePoolHasSleptIdle) {
  Gate first, second;
  HandlerPool pool(3, 1ms);
  // Long past the helpers' last timed wait: they sleep until a post wakes one to watch.
  std::this_thread::sleep_for(200ms);
  pool.post([&] { first.pass(); });
  ASSERT_TRUE(first.wait_entered());
  pool.post([&] { second.pass(); });
  EXPECT_TRUE(second.wait_entered()) << "no helper took the task behind the blocked one";
  Countdown third(1);
  pool.post([&] { third.done(); });
  EXPECT_TRUE(third.wait(5s)) << "the second helper did not join";
  EXPECT_EQ(pool.helper_joins(), 2u);
  first.open();
  second.open();
}

TEST(HandlerPoolTest, JoinRunsWhatIsQueuedAndWhatThatQueues) {
  std::atomic<int> ran{0};
  {
    Gate gate;
    HandlerPool pool(2, 1ms);
    pool.post([&] { gate.pass(); });
    ASSERT_TRUE(gate.wait_entered());
    auto lane = pool.open_lane();
    for (int i = 0; i < 100; ++i) {
      pool.post(lane, [&] {
        ++ran;
        pool.post([&] { ++ran; });
      });
    }
    lane.reset();  // a queued lane keeps itself
    std::thread opener([&] {
      std::this_thread::sleep_for(20ms);
      gate.open();
    });
    pool.join();
    opener.join();
    EXPECT_EQ(ran.load(), 200);
    pool.join();  // again: nothing to do
  }
  EXPECT_EQ(ran.load(), 200);
}

}  // namespace
