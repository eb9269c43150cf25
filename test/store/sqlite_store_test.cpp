#include "store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <thread>

#include "core/ids.hpp"
#include "store_contract.hpp"

namespace {

namespace fs = std::filesystem;
using store_contract::failed_with;
using store_contract::range;
using store_contract::seqs;

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("parley-store-" + core::new_hex_id())) {}
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Column `col` of the first row of `sql`, read through a connection of our own, the way
// an operator's sqlite3 shell (or a second process) sees the file.
std::string query(const fs::path& file, const std::string& sql, int col = 0) {
  sqlite3* db = nullptr;
  std::string out = "<error>";
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK) {
      int rc = sqlite3_step(s);
      if (rc == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
      if (rc == SQLITE_DONE) out = "<none>";
    }
    sqlite3_finalize(s);
  }
  sqlite3_close_v2(db);
  return out;
}

store::Message msg(const std::string& room, const std::string& text = "hi") {
  return {room, 0, core::new_hex_id(), "sender=", "alice", text, 1700000000000, 0};
}

struct SqliteHarness {
  TempDir dir;
  std::unique_ptr<store::Store> open() {
    auto s = store::open_sqlite(dir.path() / "parley.db");
    if (!s) ADD_FAILURE() << "open_sqlite: " << s.error();
    return s ? std::move(*s) : nullptr;
  }
};

}  // namespace

namespace store_contract {
INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, StoreContract, ::testing::Types<SqliteHarness>);
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
  fs::path file_ = dir_.path() / "data" / "nested" / "parley.db";
};

TEST_F(SqliteStore, FirstOpenCreatesParentDirectoryAndSchema) {
  ASSERT_TRUE(open());
  EXPECT_TRUE(fs::exists(file_));
  for (std::string name : {"connections", "messages", "rooms", "room_index"}) {
    EXPECT_EQ(query(file_, "SELECT name FROM sqlite_master WHERE name = '" + name + "'"), name);
  }
  EXPECT_NE(query(file_, "SELECT sql FROM sqlite_master WHERE name = 'messages'").find("WITHOUT ROWID"),
            std::string::npos);
  EXPECT_EQ(query(file_, "PRAGMA user_version"), std::to_string(store::kSqliteSchemaVersion));
}

TEST_F(SqliteStore, JournalModeIsWal) {
  ASSERT_TRUE(open());
  EXPECT_EQ(query(file_, "PRAGMA journal_mode"), "wal");  // WAL is a property of the file
}

TEST_F(SqliteStore, RoomQueryIsAnIndexSearchNotAScan) {
  ASSERT_TRUE(open());
  auto plan =
      query(file_, "EXPLAIN QUERY PLAN SELECT connectionid FROM connections WHERE room = 'x'", 3);
  EXPECT_NE(plan.find("COVERING INDEX room_index"), std::string::npos) << plan;
}

TEST_F(SqliteStore, DataSurvivesReopeningTheFile) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->put_connection({"c1=", "lobby", "alice", 1, "", 0}));
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(s->append_message(msg("lobby")));
  }
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->get_connection("c1=").value().name, "alice");
  EXPECT_EQ(seqs(s->messages_after("lobby", 0, 10).value()), range(1, 3));
  EXPECT_EQ(s->append_message(msg("lobby")).value().seq, 4);  // the counter persisted too
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

TEST_F(SqliteStore, NewerSchemaVersionIsRefused) {
  ASSERT_TRUE(open());
  ASSERT_EQ(query(file_, "PRAGMA user_version = 99"), "<none>");
  auto s = store::Sqlite::open(file_);
  EXPECT_TRUE(failed_with(s, core::errc::store_unavailable));
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
  EXPECT_TRUE(failed_with(s->append_message(msg("lobby")), core::errc::store_unavailable));
  EXPECT_TRUE(failed_with(s->put_connection({"c1=", "lobby", "", 0, "", 0}),
                          core::errc::store_unavailable));
  EXPECT_TRUE(s->messages_after("lobby", 0, 10).value().empty());  // WAL: reads go on
  ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close_v2(other);
  EXPECT_EQ(s->append_message(msg("lobby")).value().seq, 1);
}

// The counter and the message commit together: a failed insert leaves no gap behind.
TEST_F(SqliteStore, FailedAppendDoesNotAdvanceTheCounter) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->append_message(msg("lobby")));
  // Plant a row where seq 2 would go, so the next insert hits the primary key.
  ASSERT_EQ(query(file_, "INSERT INTO messages VALUES ('lobby', 2, 'x', 's', 'n', 't', 0, 0)"),
            "<none>");
  EXPECT_TRUE(failed_with(s->append_message(msg("lobby")), core::errc::store_unavailable));
  EXPECT_EQ(query(file_, "SELECT seq FROM rooms WHERE room = 'lobby'"), "1");
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
        if (!s.put_connection({"c" + std::to_string(t), "lobby", "", i, "", 0})) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(seqs(a->messages_after("lobby", 0, 1000).value()), range(1, 400));
  EXPECT_EQ(b->connections_in_room("lobby").value().size(), 8u);
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
