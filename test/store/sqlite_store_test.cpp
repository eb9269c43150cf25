// store::Sqlite: the Store contract on a SQLite file, and what only a file shared by threads
// and processes can show: durability, locking, concurrency.
#include "store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <thread>

#include "core/commit_hold.hpp"
#include "sqlite_test_support.hpp"
#include "store_contract.hpp"

namespace {

using namespace sqlite_test;
using store_contract::failed_with;
using store_contract::range;
using store_contract::seqs;

struct SqliteHarness {
  TempDir dir;
  std::unique_ptr<store::Store> db;
  std::optional<store::Tables> open() {
    auto s = store::open_sqlite(dir.path() / "parley.db");
    if (!s) {
      ADD_FAILURE() << "open_sqlite: " << s.error();
      return std::nullopt;
    }
    db = std::move(*s);
    return db->tables();
  }
};

}  // namespace

namespace store_contract {
INSTANTIATE_STORE_CONTRACT(Sqlite, SqliteHarness);
}

namespace {

class SqliteStore : public ::testing::Test {
 protected:
  std::unique_ptr<store::Sqlite> open(store::SqliteOptions o = {}) {
    auto s = store::Sqlite::open(file_, o);
    EXPECT_TRUE(s) << s.error();
    return s ? std::move(*s) : nullptr;
  }
  TempDir dir_;
  fs::path file_ = dir_.path() / "data" / "parley.db";
};

store::Message keyed(const std::string& room, const std::string& client_msg_id) {
  auto m = msg(room);
  m.client_msg_id = client_msg_id;
  return m;
}

TEST_F(SqliteStore, DataSurvivesReopeningTheFile) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->put_connection({"c1=", "alice", 1, "", 0, "lobby", -1}));
    ASSERT_TRUE(s->put_member({"lobby", "c1=", "alice", 1, 0}));
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(s->append_message(msg("lobby")));
    ASSERT_TRUE(s->append_message(keyed("lobby", "k1")));
  }
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->get_connection("c1=").value().name, "alice");
  EXPECT_EQ(s->members("lobby").value().size(), 1u);
  EXPECT_EQ(seqs(s->messages_after("lobby", 0, 10).value()), range(1, 4));
  EXPECT_EQ(s->last_seq("lobby").value(), 4);
  EXPECT_TRUE(s->append_message(keyed("lobby", "k1")).value().duplicate);  // keys persisted
  EXPECT_EQ(s->append_message(msg("lobby")).value().message.seq, 5);  // the counter too
}

// The open batch (group_commit.hpp): an append under a core::CommitHold is written, not
// committed; any write of its own (a join's member row, a delete) commits it first, so that the
// ordering the handlers rely on holds ("Joining while others send", protocol.md: the message
// stored before the joiner's row is written is in the joiner's history); closing the store
// commits what is still open.
TEST_F(SqliteStore, AWriteOfItsOwnCommitsTheOpenBatchFirstAndSoDoesClosing) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->append_message(msg("lobby")));  // the room's first: a synced commit of its own
    core::CommitHold hold;
    {
      core::CommitHold::Scope scope(hold);
      ASSERT_TRUE(s->append_message(msg("lobby")));
    }
    ASSERT_TRUE(hold.waiting());
    std::optional<bool> released;
    hold.release([&](bool ok) { released = ok; });
    EXPECT_EQ(s->last_seq("lobby").value(), 1) << "a reader saw a write not committed";
    ASSERT_TRUE(s->put_member({"lobby", "c2=", "bob", 1, 0}));
    ASSERT_TRUE(released) << "a write of its own left the open batch uncommitted";
    EXPECT_TRUE(*released);
    EXPECT_EQ(s->last_seq("lobby").value(), 2);
    // Open again, and the store closed with it open.
    core::CommitHold last;
    {
      core::CommitHold::Scope scope(last);
      ASSERT_TRUE(s->append_message(msg("lobby")));
    }
    ASSERT_TRUE(last.waiting());
  }
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(seqs(s->messages_after("lobby", 0, 10).value()), range(1, 3));
}

// The claim behind synchronous=NORMAL: a committed message survives kill -9 of the process.
TEST_F(SqliteStore, CommittedMessagesSurviveKillNine) {
  pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    auto s = store::open_sqlite(file_);
    if (!s) _exit(1);
    for (int i = 0; i < 5; ++i) {
      if (!(*s)->append_message(msg("lobby"))) _exit(2);
    }
    raise(SIGKILL);  // no destructor, no close, no checkpoint
    _exit(3);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(seqs(s->messages_after("lobby", 0, 10).value()), range(1, 5));
}

// Issue 15 #8: a crash of the machine (not just of the process) loses the commits that were
// not synced yet (synchronous=NORMAL), taking a room's counter back below seqs clients were
// shown; the next messages would reuse them and clients would drop them as duplicates.
// Simulated by copying the file as the disk held it at the last sync: the WAL cut after the
// room's first (synced, reserving) commit, the four messages after it lost.
TEST_F(SqliteStore, AfterLosingTheUnsyncedWalTailNoSeqAClientSawIsReused) {
  const fs::path crashed = dir_.path() / "crashed" / "parley.db";
  {
    auto s = open();
    ASSERT_TRUE(s);
    ASSERT_EQ(s->append_message(msg("lobby")).value().message.seq, 1);  // reserves: synced
    const auto synced = fs::file_size(fs::path(file_.string() + "-wal"));
    for (int i = 2; i <= 5; ++i) ASSERT_EQ(s->append_message(msg("lobby")).value().message.seq, i);  // shown
    fs::create_directories(crashed.parent_path());
    fs::copy_file(file_, crashed);
    fs::copy_file(fs::path(file_.string() + "-wal"), fs::path(crashed.string() + "-wal"));
    fs::resize_file(fs::path(crashed.string() + "-wal"), synced);
  }
  auto s = store::Sqlite::open(crashed);
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ((*s)->last_seq("lobby").value(), 1);  // the loss happened: the counter went back
  auto moved = (*s)->recover_counters();          // what `parley serve` does before serving
  ASSERT_TRUE(moved) << moved.error();
  EXPECT_EQ(*moved, 1);
  const auto next = (*s)->append_message(msg("lobby")).value().message.seq;
  EXPECT_GT(next, 5) << "a seq clients were shown before the crash was handed out again";
  EXPECT_LE(next, 1 + store::kSeqReserve + 1);
}

// A clean stop releases the reservations: the next run goes on without a gap.
TEST_F(SqliteStore, AfterACleanStopTheCountersGoOnWithoutAGap) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    for (int i = 1; i <= 3; ++i) ASSERT_TRUE(s->append_message(msg("lobby")));
    EXPECT_EQ(query(file_, "SELECT reserved FROM rooms WHERE room = 'lobby'"), std::to_string(1 + store::kSeqReserve));
    ASSERT_TRUE(s->release_reservations());
  }
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->recover_counters().value(), 0);
  EXPECT_EQ(s->append_message(msg("lobby")).value().message.seq, 4);
}

TEST_F(SqliteStore, UnusablePathIsStoreUnavailable) {
  fs::create_directories(dir_.path());
  std::ofstream(dir_.path() / "a-file") << "not a directory";
  EXPECT_TRUE(failed_with(store::open_sqlite(dir_.path() / "a-file" / "parley.db"),
                          core::errc::store_unavailable));
  EXPECT_TRUE(failed_with(store::open_sqlite(":memory:"), core::errc::invalid_argument));
}

TEST_F(SqliteStore, LimitIsCappedAtMaxPage) {
  auto s = open({.max_page = 10});
  ASSERT_TRUE(s);
  for (int i = 0; i < 15; ++i) ASSERT_TRUE(s->append_message(msg("lobby")));
  EXPECT_EQ(seqs(s->messages_after("lobby", 0, 1000).value()), range(1, 10));
  EXPECT_EQ(seqs(s->messages_before("lobby", 0, 1000).value()), range(6, 15));
}

// Another process holding the write lock past busy_timeout is an error the caller can report,
// and the adapter is usable again once the lock is released.
TEST_F(SqliteStore, WriteLockHeldElsewhereIsStoreUnavailable) {
  auto s = open({.busy_timeout = std::chrono::milliseconds(50)});
  ASSERT_TRUE(s);
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(file_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  using core::errc;
  EXPECT_TRUE(failed_with(s->append_message(msg("lobby")), errc::store_unavailable));
  EXPECT_TRUE(failed_with(s->append_message(keyed("lobby", "k1")), errc::store_unavailable));
  EXPECT_TRUE(failed_with(s->put_connection({"c1=", "", 0, "", 0, "lobby", -1}),
                          errc::store_unavailable));
  EXPECT_TRUE(failed_with(s->put_member({"lobby", "c1=", "", 0, 0}), errc::store_unavailable));
  EXPECT_TRUE(failed_with(s->put_connection_and_member({"c1=", "", 0, "", 0, "lobby", -1},
                                                       {"lobby", "c1=", "", 0, 0}),
                          errc::store_unavailable));
  EXPECT_TRUE(failed_with(s->delete_member("lobby", "c1="), errc::store_unavailable));
  EXPECT_TRUE(s->messages_after("lobby", 0, 10).value().empty());  // WAL: reads go on
  EXPECT_EQ(s->last_seq("lobby").value(), 0);
  EXPECT_TRUE(s->members("lobby").value().empty());
  ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close_v2(other);
  auto again = s->append_message(keyed("lobby", "k1"));
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(again->message.seq, 1);
  EXPECT_FALSE(again->duplicate);  // the failed attempt left no key behind
}

// The counter, the message and its key commit together: a failed insert leaves no gap and no
// key behind, so the client's retry stores the message.
TEST_F(SqliteStore, FailedAppendLeavesNoTrace) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->append_message(msg("lobby")));
  // Plant a row where seq 2 would go, so the next insert hits the primary key.
  ASSERT_EQ(exec(file_, "INSERT INTO messages VALUES ('lobby', 2, 'x', 's', 'n', 't', 0, 0, '', '', '')"),
            "");
  EXPECT_TRUE(failed_with(s->append_message(keyed("lobby", "k1")), core::errc::store_unavailable));
  EXPECT_EQ(query(file_, "SELECT seq FROM rooms WHERE room = 'lobby'"), "1");
  EXPECT_EQ(query(file_, "SELECT count(*) FROM clientmsgs"), "0");
  ASSERT_EQ(exec(file_, "DELETE FROM messages WHERE id = 'x'"), "");
  auto retry = s->append_message(keyed("lobby", "k1"));
  ASSERT_TRUE(retry) << retry.error();
  EXPECT_FALSE(retry->duplicate);
  EXPECT_EQ(retry->message.seq, 2);
}

// The connection row and the member row of $connect commit together: a member row the file
// refuses takes the connection row with it, and the writer is usable afterwards.
TEST_F(SqliteStore, FailedConnectWriteLeavesNeitherRow) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_EQ(exec(file_, "CREATE TRIGGER refuse BEFORE INSERT ON members BEGIN "
                        "SELECT RAISE(ABORT, 'refused'); END"),
            "");
  EXPECT_TRUE(failed_with(s->put_connection_and_member({"c1=", "ann", 0, "", 0, "lobby", -1},
                                                       {"lobby", "c1=", "ann", 0, 0}),
                          core::errc::store_unavailable));
  EXPECT_EQ(query(file_, "SELECT count(*) FROM connections"), "0");
  ASSERT_EQ(exec(file_, "DROP TRIGGER refuse"), "");
  ASSERT_TRUE(s->put_connection_and_member({"c1=", "ann", 0, "", 0, "lobby", -1},
                                           {"lobby", "c1=", "ann", 0, 0}));
  EXPECT_EQ(query(file_, "SELECT count(*) FROM connections"), "1");
  EXPECT_EQ(query(file_, "SELECT count(*) FROM members"), "1");
}

// A rename commits as one: the file refusing its second member row keeps the first row and the
// connection row under the old name.
TEST_F(SqliteStore, FailedRenameChangesNoRow) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->put_connection_and_member({"c1=", "ann", 0, "", 0, "lobby", -1},
                                           {"lobby", "c1=", "ann", 0, 0}));
  ASSERT_TRUE(s->put_member({"dev", "c1=", "ann", 0, 0}));
  ASSERT_EQ(exec(file_, "CREATE TRIGGER refuse BEFORE INSERT ON members WHEN NEW.room = 'lobby' "
                        "BEGIN SELECT RAISE(ABORT, 'refused'); END"),
            "");
  store::Rename r{{"c1=", "bob", 0, "", 0, "lobby", -1}, "ann",
                  {{"dev", "c1=", "bob", 0, 0}, {"lobby", "c1=", "bob", 0, 0}}, {"ann", "ann"}};
  EXPECT_TRUE(failed_with(s->rename(r), core::errc::store_unavailable));
  EXPECT_EQ(query(file_, "SELECT group_concat(name) FROM members"), "ann,ann");
  EXPECT_EQ(query(file_, "SELECT name FROM connections"), "ann");
  ASSERT_EQ(exec(file_, "DROP TRIGGER refuse"), "");
  ASSERT_TRUE(s->rename(r));
  EXPECT_EQ(query(file_, "SELECT group_concat(name) FROM members"), "bob,bob");
  EXPECT_EQ(query(file_, "SELECT name FROM connections"), "bob");
}

// A key whose message row has gone (deleted by hand) cannot return the earlier message, so the
// retry is stored anew and the key moves to it.
TEST_F(SqliteStore, KeyOfAVanishedMessageStoresAnew) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->append_message(keyed("lobby", "k1")));
  ASSERT_EQ(exec(file_, "DELETE FROM messages"), "");
  auto again = s->append_message(keyed("lobby", "k1"));
  ASSERT_TRUE(again) << again.error();
  EXPECT_FALSE(again->duplicate);
  EXPECT_EQ(again->message.seq, 2);
  EXPECT_TRUE(s->append_message(keyed("lobby", "k1")).value().duplicate);
  EXPECT_EQ(query(file_, "SELECT seq FROM clientmsgs WHERE clientMsgId = 'k1'"), "2");
}

// Two Store objects on one file stand in for two processes: they share the counter through
// BEGIN IMMEDIATE and busy_timeout, not through our mutex.
TEST_F(SqliteStore, TwoStoresOnOneFileShareTheCounter) {
  auto a = open(), b = open();
  ASSERT_TRUE(a && b);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      store::Store& s = t % 2 ? *a : *b;
      for (int i = 0; i < 50; ++i) {
        if (!s.append_message(msg("lobby"))) ++failures;
        if (!s.put_member({"lobby", "c" + std::to_string(t), "", i, 0})) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(seqs(a->messages_after("lobby", 0, 1000).value()), range(1, 400));
  EXPECT_EQ(b->members("lobby").value().size(), 8u);
}

// The duplicate check holds across processes too: the check and the insert are in one
// IMMEDIATE transaction, so the file lock (not only our mutex) makes them atomic.
TEST_F(SqliteStore, TwoStoresOnOneFileStoreOneMessagePerClientMsgId) {
  auto a = open(), b = open();
  ASSERT_TRUE(a && b);
  constexpr int kThreads = 8, kKeys = 20;
  std::vector<std::thread> threads;
  std::atomic<int> stored{0}, failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      store::Store& s = t % 2 ? *a : *b;
      for (int k = 0; k < kKeys; ++k) {
        auto r = s.append_message(keyed("lobby", "k" + std::to_string(k)));
        if (!r) ++failures;
        else if (!r->duplicate) ++stored;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(stored.load(), kKeys);
  EXPECT_EQ(seqs(a->messages_after("lobby", 0, 1000).value()), range(1, kKeys));
}

// Readers on their own WAL snapshots never see a message before the ones under it.
TEST_F(SqliteStore, ReadersSeeGapFreePrefixesWhileWritersAppend) {
  auto s = open();
  ASSERT_TRUE(s);
  std::atomic<bool> writing{true};
  std::atomic<int> bad_reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      std::size_t last = 0;
      while (writing) {
        auto got = s->messages_after("lobby", 0, 1000);
        if (!got || seqs(*got) != range(1, static_cast<std::int64_t>(got->size())) ||
            got->size() < last) {
          ++bad_reads;
        } else {
          last = got->size();
        }
      }
    });
  }
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&] {
      for (int i = 0; i < 100; ++i) s->append_message(msg("lobby"));
    });
  }
  for (auto& th : writers) th.join();
  writing = false;
  for (auto& th : readers) th.join();
  EXPECT_EQ(bad_reads.load(), 0);
  EXPECT_EQ(seqs(s->messages_after("lobby", 0, 1000).value()), range(1, 400));
}

}  // namespace
