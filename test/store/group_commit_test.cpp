// store::GroupCommit on a real SQLite file with the adapter's schema: the writes queued while
// the writer is taken share one transaction, in their order; none returns before that
// transaction committed; a batch that fails (at COMMIT, or in one of its writes) fails every
// write in it and stores none. The writer's mutex is held by the test to make a batch form
// deterministically: the writes queue behind it exactly as they queue behind a running commit.
#include "store/sqlite/group_commit.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/commit_hold.hpp"
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

// ---- The open batch: writes made under a core::CommitHold (the in-process integration's).

// Runs `write` as the invocation holding `hold` would: with it as the thread's current hold.
core::result<void> run_held(store::GroupCommit& group, core::CommitHold& hold, const WriteFn& write) {
  core::CommitHold::Scope scope(hold);
  return group.run(write);
}

// The room's seqs reserved ahead (a room's first message needs a synced commit of its own).
void reserve_lobby(store::SqliteConnection& w) {
  ASSERT_TRUE(w.exec("INSERT INTO rooms (room, seq, createdAt, reserved) VALUES ('lobby', 0, 0, 1000)"));
}

// A write under a hold returns once written, not committed: nobody else sees it, and what the
// invocation lets out (its posts, its answer) waits; commit_open() commits the writes of every
// hold at once, then the effects run, each before its hold's release.
TEST_F(GroupCommitTest, HeldWritesReturnBeforeTheCommitAndTheirEffectsWaitForIt) {
  reserve_lobby(*writer_);
  std::vector<std::optional<store::Appended>> out(2);
  core::CommitHold first, second;
  ASSERT_TRUE(run_held(*group_, first, append("a", out[0])));
  ASSERT_TRUE(run_held(*group_, second, append("b", out[1])));
  EXPECT_EQ(out[0]->message.seq, 1);
  EXPECT_EQ(out[1]->message.seq, 2);
  EXPECT_TRUE(first.waiting());
  EXPECT_EQ(committed("SELECT count(*) FROM messages"), "0") << "a held write was committed at once";
  std::vector<std::string> ran;
  first.hold([&] { ran.push_back("post a"); });
  second.hold([&] { ran.push_back("post b"); });
  first.release([&](bool ok) { ran.push_back(ok ? "answer a" : "failed a"); });
  second.release([&](bool ok) { ran.push_back(ok ? "answer b" : "failed b"); });
  EXPECT_TRUE(ran.empty()) << "an effect went out before the commit";
  ASSERT_EQ(first.committers().size(), 1u);
  first.committers()[0]->commit_open();
  EXPECT_EQ(ran, (std::vector<std::string>{"post a", "answer a", "post b", "answer b"}));
  EXPECT_EQ(committed("SELECT group_concat(text, ',') FROM (SELECT text FROM messages ORDER BY seq)"), "a,b");
  EXPECT_EQ(group_->stats().batches, 1u);
  EXPECT_EQ(group_->stats().writes, 2u);
  group_->commit_open();  // nothing open: nothing happens
  EXPECT_EQ(group_->stats().batches, 1u);
}

// A held write that fails takes back only itself (its savepoint): the batch's others commit,
// and the seq it may have taken is not burnt.
TEST_F(GroupCommitTest, AHeldWriteThatFailsTakesBackOnlyItself) {
  reserve_lobby(*writer_);
  std::vector<std::optional<store::Appended>> out(3);
  core::CommitHold a, failing, b;
  ASSERT_TRUE(run_held(*group_, a, append("a", out[0])));
  auto appended_then_failed = [&](store::SqliteConnection& w, bool synced) -> core::result<Written> {
    auto written = append("lost", out[1])(w, synced);
    if (!written) return written;
    if (auto r = w.exec("INSERT INTO no_such_table VALUES (1)"); !r) return r.error();
    return Written::written;
  };
  EXPECT_FALSE(run_held(*group_, failing, appended_then_failed));
  EXPECT_FALSE(failing.waiting()) << "a failed write left its hold waiting for a commit";
  ASSERT_TRUE(run_held(*group_, b, append("b", out[2])));
  EXPECT_EQ(out[2]->message.seq, 2) << "the failed write's seq was burnt";
  group_->commit_open();
  EXPECT_EQ(committed("SELECT group_concat(text || seq, ',') FROM (SELECT text, seq FROM messages ORDER BY seq)"),
            "a1,b2");
}

// Each held write runs in a savepoint, whose undo pages (the statement journal) stay in memory
// in small chunks: with SQLite's default a write allocated (and freed) one 64 KiB chunk, past
// the allocator's thread cache, the first time it changed a page the batch had changed before.
TEST_F(GroupCommitTest, AHeldWritesSavepointAllocatesNoLargeStatementJournal) {
  reserve_lobby(*writer_);
  std::vector<std::optional<store::Appended>> out(8);
  std::vector<core::CommitHold> holds(out.size());
  int current = 0, largest = 0;
  sqlite3_status(SQLITE_STATUS_MALLOC_SIZE, &current, &largest, 1);  // resets the high-water mark
  for (std::size_t i = 0; i < out.size(); ++i)
    ASSERT_TRUE(run_held(*group_, holds[i], append("m" + std::to_string(i), out[i])));
  group_->commit_open();
  ASSERT_EQ(sqlite3_status(SQLITE_STATUS_MALLOC_SIZE, &current, &largest, 0), SQLITE_OK);
  EXPECT_LT(largest, 16 * 1024) << "SQLite's largest allocation during the batch, in bytes";
  EXPECT_EQ(committed("SELECT count(*) FROM messages"), "8");
}

// A held write that throws (bad_alloc, say) is taken back the same way before the exception
// leaves: the batch goes on without its partial rows.
TEST_F(GroupCommitTest, AHeldWriteThatThrowsTakesBackOnlyItself) {
  reserve_lobby(*writer_);
  std::vector<std::optional<store::Appended>> out(3);
  core::CommitHold a, throwing, b;
  ASSERT_TRUE(run_held(*group_, a, append("a", out[0])));
  EXPECT_THROW(
      (void)run_held(*group_, throwing,
                     [&](store::SqliteConnection& w, bool synced) -> core::result<Written> {
                       (void)append("lost", out[1])(w, synced);
                       throw std::runtime_error("out of memory");
                     }),
      std::runtime_error);
  ASSERT_TRUE(run_held(*group_, b, append("b", out[2])));
  group_->commit_open();
  EXPECT_EQ(committed("SELECT group_concat(text || seq, ',') FROM (SELECT text, seq FROM messages ORDER BY seq)"),
            "a1,b2");
}

// COMMIT fails (a deferred foreign key): every hold of the batch is released as failed, its
// effects dropped, nothing stored, and the writer usable again.
TEST_F(GroupCommitTest, AnOpenBatchWhoseCommitFailsReleasesEveryHoldAsFailed) {
  ASSERT_TRUE(writer_->exec("PRAGMA foreign_keys=ON"));
  ASSERT_TRUE(writer_->exec("CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                            "CREATE TABLE child (p INTEGER REFERENCES parent (id) "
                            "DEFERRABLE INITIALLY DEFERRED)"));
  reserve_lobby(*writer_);
  std::optional<store::Appended> out;
  core::CommitHold a, orphan;
  ASSERT_TRUE(run_held(*group_, a, append("a", out)));
  ASSERT_TRUE(run_held(*group_, orphan, [](store::SqliteConnection& w, bool) -> core::result<Written> {
    if (auto r = w.exec("INSERT INTO child (p) VALUES (42)"); !r) return r.error();
    return Written::written;
  }));
  bool posted = false;
  std::optional<bool> released_a, released_orphan;
  a.hold([&] { posted = true; });
  a.release([&](bool ok) { released_a = ok; });
  orphan.release([&](bool ok) { released_orphan = ok; });
  group_->commit_open();
  ASSERT_TRUE(released_a && released_orphan);
  EXPECT_FALSE(*released_a);
  EXPECT_FALSE(*released_orphan);
  EXPECT_FALSE(posted);
  EXPECT_EQ(committed("SELECT count(*) FROM messages"), "0");
  std::optional<store::Appended> next;
  ASSERT_TRUE(group_->run(append("after", next)));
  EXPECT_EQ(next->message.seq, 1) << "the failed batch burnt a seq";
  EXPECT_EQ(committed("SELECT seq FROM rooms WHERE room = 'lobby'"), "1");
}

// Batches are let out in the order they committed: the next batch's effects never run before
// the last one's have (a connection's pipelined frames go into successive batches: its
// messages would reach the others out of order, as a CI run of cli.test.mjs once saw).
TEST_F(GroupCommitTest, SuccessiveBatchesAreLetOutInTheOrderTheyCommitted) {
  reserve_lobby(*writer_);
  std::vector<std::optional<store::Appended>> out(2);
  core::CommitHold first, second;
  ASSERT_TRUE(run_held(*group_, first, append("a", out[0])));
  std::mutex m;
  std::vector<std::string> order;
  std::atomic<bool> letting_out{false};
  first.release([&](bool) {
    letting_out = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a preempted thread
    std::lock_guard lock(m);
    order.push_back("a");
  });
  std::thread x([&] { group_->commit_open(); });
  while (!letting_out) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // The second write, and its commit, while the first batch is being let out.
  std::thread y([&] {
    ASSERT_TRUE(run_held(*group_, second, append("b", out[1])));
    second.release([&](bool) {
      std::lock_guard lock(m);
      order.push_back("b");
    });
    group_->commit_open();
  });
  x.join();
  y.join();
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b"}));
}

// A held write that needs a synced commit (its room's reservation is used up) commits the
// open batch first, then itself alone, synced: durable when it returns, nothing to wait for.
TEST_F(GroupCommitTest, AHeldWriteNeedingASyncedCommitCommitsTheOpenBatchThenItself) {
  ASSERT_TRUE(writer_->exec("INSERT INTO rooms (room, seq, createdAt, reserved) VALUES ('lobby', 8, 0, 9)"));
  std::vector<std::optional<store::Appended>> out(2);
  core::CommitHold a, b;
  ASSERT_TRUE(run_held(*group_, a, append("a", out[0])));  // seq 9: within the reservation
  std::optional<bool> released_a;
  a.release([&](bool ok) { released_a = ok; });
  ASSERT_TRUE(run_held(*group_, b, append("b", out[1])));  // seq 10: past it
  EXPECT_FALSE(b.waiting()) << "a synced write was left to a later commit";
  ASSERT_TRUE(released_a) << "the open batch was not committed before the synced write";
  EXPECT_TRUE(*released_a);
  EXPECT_EQ(committed("SELECT group_concat(text || seq, ',') FROM (SELECT text, seq FROM messages ORDER BY seq)"),
            "a9,b10");
  EXPECT_EQ(committed("SELECT reserved FROM rooms WHERE room = 'lobby'"),
            std::to_string(10 + store::kSeqReserve));
  auto sync = writer_->statement("PRAGMA synchronous");
  ASSERT_TRUE(sync);
  ASSERT_EQ(sync->step(), SQLITE_ROW);
  EXPECT_EQ(sync->int64(0), 1);
}

// A write without a hold (any caller but the in-process integration) commits the open batch
// with its own, before it returns.
TEST_F(GroupCommitTest, AWriteWithoutAHoldCommitsTheOpenBatchBeforeItsOwn) {
  reserve_lobby(*writer_);
  std::vector<std::optional<store::Appended>> out(2);
  core::CommitHold a;
  ASSERT_TRUE(run_held(*group_, a, append("a", out[0])));
  std::optional<bool> released_a;
  a.release([&](bool ok) { released_a = ok; });
  ASSERT_TRUE(group_->run(append("b", out[1])));
  ASSERT_TRUE(released_a);
  EXPECT_TRUE(*released_a);
  EXPECT_EQ(committed("SELECT count(*) FROM messages"), "2");
}

}  // namespace
