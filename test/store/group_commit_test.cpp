// store::GroupCommit on a real SQLite file with the adapter's schema: the writes queued while
// the writer is taken share one transaction, in their order; none returns before that
// transaction committed; a batch that fails (at COMMIT, or in one of its writes) fails every
// write in it and stores none. The writer's mutex is held by the test to make a batch form
// deterministically: the writes queue behind it exactly as they queue behind a running commit.
#include "store/sqlite/group_commit.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "sqlite_test_support.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_messages.hpp"
#include "store/sqlite/sqlite_schema.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using sqlite_test::msg;
using sqlite_test::query;
using sqlite_test::TempDir;
using Written = store::GroupCommit::Written;
// The tests keep their writes in vectors: GroupCommit::Write only refers to a callable.
using WriteFn = std::function<core::result<Written>(store::SqliteConnection&, bool)>;

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = dir_.path() / "parley.db";
    std::filesystem::create_directories(dir_.path());
    auto c = store::SqliteConnection::open(file_, std::chrono::milliseconds(5000), false);
    ASSERT_TRUE(c) << c.error();
    writer_ = std::move(*c);
    ASSERT_TRUE(store::prepare_database(*writer_));
    group_ = std::make_unique<store::GroupCommit>(mutex_, *writer_);
  }

  // An append_message of `text` in "lobby", as the adapter runs it.
  WriteFn append(std::string text, std::optional<store::Appended>& out) {
    return [this, text, &out](store::SqliteConnection& w, bool synced) -> core::result<Written> {
      auto stored = store::store_message(w, msg("lobby", text), core::now_ms(), synced);
      if (!stored) return stored.error();
      out = std::move(*stored);
      return out ? Written::written : Written::needs_sync;
    };
  }

  // Starts one thread per write, each after the previous one is queued (so the queue's order
  // is the writes' order), while the test holds the writer; returns with all of them queued.
  void queue_behind_held_writer(const std::vector<WriteFn>& writes) {
    results_.assign(writes.size(), std::nullopt);
    visible_at_return_.assign(writes.size(), "");
    for (std::size_t i = 0; i < writes.size(); ++i) {
      threads_.emplace_back([this, &writes, i] {
        auto r = group_->run(writes[i]);
        // What another connection (a reader, a process restarted after a crash) sees at the
        // moment this caller is answered.
        visible_at_return_[i] = committed("SELECT count(*) FROM messages");
        results_[i] = r;
        returned_.fetch_add(1);
      });
      wait_queued(i + 1);
    }
  }

  void wait_queued(std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (group_->queued() < n && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ASSERT_EQ(group_->queued(), n);
  }

  void join() {
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  // Appends "a" and "b" around a write that runs `sql`, as one batch; every write of it must
  // fail and nothing of it be stored.
  void expect_batch_fails_whole(const char* sql) {
    std::vector<std::optional<store::Appended>> out(2);
    std::vector<WriteFn> writes{append("a", out[0])};
    writes.push_back([sql](store::SqliteConnection& w, bool) -> core::result<Written> {
      if (auto r = w.exec(sql); !r) return r.error();
      return Written::written;
    });
    writes.push_back(append("b", out[1]));
    {
      std::unique_lock held(mutex_);
      queue_behind_held_writer(writes);
    }
    join();
    for (std::size_t i = 0; i < writes.size(); ++i) {
      ASSERT_TRUE(results_[i]);
      EXPECT_FALSE(*results_[i]) << "write " << i << " was reported stored by a batch that failed";
    }
    EXPECT_EQ(committed("SELECT count(*) FROM messages"), "0");
    EXPECT_EQ(committed("SELECT count(*) FROM rooms"), "0");
    EXPECT_EQ(group_->stats().batches, 1u);
  }

  std::string committed(const std::string& sql) { return query(file_, sql); }

  TempDir dir_;
  std::filesystem::path file_;
  std::mutex mutex_;
  std::unique_ptr<store::SqliteConnection> writer_;
  std::unique_ptr<store::GroupCommit> group_;
  std::vector<std::thread> threads_;
  std::vector<std::optional<core::result<void>>> results_;
  std::vector<std::string> visible_at_return_;
  std::atomic<int> returned_{0};
};

TEST_F(GroupCommitTest, WritesQueuedMeanwhileShareOneCommitInTheirOrderAndNoneReturnsBeforeIt) {
  constexpr int kWrites = 6;
  auto& registry = core::metrics::registry();
  const auto batches_before = registry.counter("parley_store_group_commits_total", "").value();
  const auto writes_before = registry.counter("parley_store_group_commit_writes_total", "").value();
  std::vector<std::optional<store::Appended>> out(kWrites);
  std::vector<WriteFn> writes;
  for (int i = 0; i < kWrites; ++i) writes.push_back(append("m" + std::to_string(i), out[i]));
  // The batch's last write takes its time: a caller answered before the COMMIT would see
  // nothing stored.
  writes.push_back([](store::SqliteConnection&, bool) -> core::result<Written> {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return Written::written;
  });
  {
    std::unique_lock held(mutex_);
    queue_behind_held_writer(writes);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(returned_.load(), 0) << "a write returned while its commit could not have run";
    EXPECT_EQ(committed("SELECT count(*) FROM messages"), "0");
  }
  join();
  for (int i = 0; i <= kWrites; ++i) {
    EXPECT_EQ(visible_at_return_[i], std::to_string(kWrites)) << "write " << i << " returned before its commit";
  }
  for (int i = 0; i < kWrites; ++i) {
    ASSERT_TRUE(results_[i] && *results_[i]) << i;
    ASSERT_TRUE(out[i]) << i;
    EXPECT_EQ(out[i]->message.seq, i + 1) << "seqs follow the order the writes arrived in";
    EXPECT_EQ(out[i]->message.text, "m" + std::to_string(i));
  }
  EXPECT_EQ(committed("SELECT group_concat(text, ',') FROM (SELECT text FROM messages ORDER BY seq)"),
            "m0,m1,m2,m3,m4,m5");
  EXPECT_EQ(group_->stats().batches, 1u);
  EXPECT_EQ(group_->stats().writes, static_cast<std::uint64_t>(kWrites + 1));
  // /metrics counts the same (process-wide).
  EXPECT_EQ(registry.counter("parley_store_group_commits_total", "").value() - batches_before, 1u);
  EXPECT_EQ(registry.counter("parley_store_group_commit_writes_total", "").value() - writes_before,
            static_cast<std::uint64_t>(kWrites + 1));
}

// COMMIT itself fails (a deferred foreign key, checked only there): every caller of the batch
// gets the error, nothing of it is stored, and no seq is burnt — the next write gets seq 1.
TEST_F(GroupCommitTest, AFailedCommitFailsEveryWriteOfTheBatchAndStoresNone) {
  ASSERT_TRUE(writer_->exec("PRAGMA foreign_keys=ON"));
  ASSERT_TRUE(writer_->exec("CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                            "CREATE TABLE child (p INTEGER REFERENCES parent (id) "
                            "DEFERRABLE INITIALLY DEFERRED)"));
  // Succeeds as a statement; the missing parent fails the COMMIT.
  expect_batch_fails_whole("INSERT INTO child (p) VALUES (42)");
  // The writer is usable again (the failed transaction was rolled back), and no seq was burnt.
  std::optional<store::Appended> next;
  ASSERT_TRUE(group_->run(append("after", next)));
  EXPECT_EQ(next->message.seq, 1);
}

// A write of the batch fails as a statement: the same, all or nothing.
TEST_F(GroupCommitTest, AWriteFailingMidBatchFailsEveryWriteOfTheBatchAndStoresNone) {
  expect_batch_fails_whole("INSERT INTO no_such_table VALUES (1)");
}

// A batch crossing a room's seq reservation runs again synced, whole: every write stored once,
// seqs consecutive, the reservation raised past them.
TEST_F(GroupCommitTest, ABatchThatNeedsASyncedCommitRunsAgainWhole) {
  std::vector<std::optional<store::Appended>> out(3);
  std::vector<WriteFn> writes;
  for (int i = 0; i < 3; ++i) writes.push_back(append("r" + std::to_string(i), out[i]));
  {
    // The room's counter two below its reservation: the batch's third write needs a new one.
    ASSERT_TRUE(writer_->exec("INSERT INTO rooms (room, seq, createdAt, reserved) VALUES ('lobby', 8, 0, 10)"));
    std::unique_lock held(mutex_);
    queue_behind_held_writer(writes);
  }
  join();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(results_[i] && *results_[i]) << i;
    EXPECT_EQ(out[i]->message.seq, 9 + i);
  }
  EXPECT_EQ(committed("SELECT count(*) FROM messages"), "3");
  EXPECT_EQ(committed("SELECT reserved FROM rooms WHERE room = 'lobby'"),
            std::to_string(11 + store::kSeqReserve));
  auto sync = writer_->statement("PRAGMA synchronous");  // back to NORMAL (1) after the batch
  ASSERT_TRUE(sync);
  ASSERT_EQ(sync->step(), SQLITE_ROW);
  EXPECT_EQ(sync->int64(0), 1);
  EXPECT_EQ(group_->stats().batches, 1u);
}

// Many threads at once, no held writer: every write stored exactly once, each thread's own in
// its order, batches formed by contention alone.
TEST_F(GroupCommitTest, ConcurrentWritersEachKeepTheirOrder) {
  constexpr int kThreads = 6, kEach = 40;
  std::vector<std::vector<std::int64_t>> seqs(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::optional<store::Appended> out;
        if (group_->run(append("t" + std::to_string(t), out)) && out) seqs[t].push_back(out->message.seq);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(seqs[t].size(), static_cast<std::size_t>(kEach)) << t;
    for (int i = 1; i < kEach; ++i) EXPECT_LT(seqs[t][i - 1], seqs[t][i]) << t;
  }
  EXPECT_EQ(committed("SELECT count(DISTINCT seq) || '/' || max(seq) FROM messages"),
            std::to_string(kThreads * kEach) + "/" + std::to_string(kThreads * kEach));
  EXPECT_EQ(group_->stats().writes, static_cast<std::uint64_t>(kThreads * kEach));
}

}  // namespace
