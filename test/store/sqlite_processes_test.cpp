// Several processes on one SQLite file at once, as `parley serve --lambda process` runs them (a
// bootstrap process per execution environment, all on the same file): the per-process writer
// mutex cannot order them, so the store relies on the file's own lock (BEGIN IMMEDIATE for
// append_message, busy_timeout for every write). Each child here is a real process (fork)
// with its own store::Sqlite.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "sqlite_test_support.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using sqlite_test::TempDir;

constexpr int kProcesses = 6;
constexpr int kEach = 40;

// Runs body(i) in kProcesses children at once, each after a common start (a pipe closed by the
// parent); true when every child exited 0.
template <class Body>
bool in_processes(Body body) {
  int go[2];
  if (pipe(go) != 0) return false;
  std::vector<pid_t> pids;
  for (int i = 0; i < kProcesses; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      close(go[1]);
      char c;
      (void)!read(go[0], &c, 1);  // returns 0 when the parent closes its end
      std::_Exit(body(i) ? 0 : 1);
    }
    pids.push_back(pid);
  }
  close(go[0]);
  close(go[1]);
  bool ok = true;
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  return ok;
}

store::Message message(int process, int n, std::string client_msg_id = {}) {
  store::Message m;
  m.room = "lobby";
  m.id = std::to_string(process) + "-" + std::to_string(n);
  m.sender = "c" + std::to_string(process);
  m.name = "p" + std::to_string(process);
  m.text = "hello " + m.id;
  m.ts = 1;
  m.client_msg_id = std::move(client_msg_id);
  return m;
}

TEST(SqliteProcesses, ConcurrentAppendsGetEverySeqOnce) {
  TempDir dir;
  const auto file = dir.path() / "parley.db";
  {  // the gateway creates the file first, as serve does before starting any function
    auto db = store::Sqlite::open(file);
    ASSERT_TRUE(db);
  }
  ASSERT_TRUE(in_processes([&](int p) {
    auto db = store::Sqlite::open(file);
    if (!db) return false;
    for (int n = 0; n < kEach; ++n) {
      auto r = (*db)->append_message(message(p, n));
      if (!r || r->duplicate) return false;
    }
    return true;
  }));
  auto db = store::Sqlite::open(file);
  ASSERT_TRUE(db);
  auto all = (*db)->messages_after("lobby", 0, kProcesses * kEach + 10);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), static_cast<std::size_t>(kProcesses * kEach));
  std::set<std::string> ids;
  for (std::size_t i = 0; i < all->size(); ++i) {
    EXPECT_EQ((*all)[i].seq, static_cast<std::int64_t>(i + 1)) << "a gap or a repeat at " << i;
    ids.insert((*all)[i].id);
  }
  EXPECT_EQ(ids.size(), all->size());
  auto last = (*db)->last_seq("lobby");
  ASSERT_TRUE(last);
  EXPECT_EQ(*last, kProcesses * kEach);
}

TEST(SqliteProcesses, OneClientMsgIdIsStoredOnceAcrossProcesses) {
  TempDir dir;
  const auto file = dir.path() / "parley.db";
  {
    auto db = store::Sqlite::open(file);
    ASSERT_TRUE(db);
  }
  // Every process sends the same keys (a client retrying through different environments).
  ASSERT_TRUE(in_processes([&](int p) {
    auto db = store::Sqlite::open(file);
    if (!db) return false;
    for (int n = 0; n < kEach; ++n)
      if (!(*db)->append_message(message(p, n, "key-" + std::to_string(n)))) return false;
    return true;
  }));
  auto db = store::Sqlite::open(file);
  ASSERT_TRUE(db);
  auto all = (*db)->messages_after("lobby", 0, kProcesses * kEach + 10);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), static_cast<std::size_t>(kEach));
  std::set<std::string> keys;
  for (std::size_t i = 0; i < all->size(); ++i) {
    EXPECT_EQ((*all)[i].seq, static_cast<std::int64_t>(i + 1));
    keys.insert((*all)[i].client_msg_id);
  }
  EXPECT_EQ(keys.size(), static_cast<std::size_t>(kEach));
}

// Connections and memberships written from many processes at once (every $connect and join
// of process mode): none is lost to a busy file.
TEST(SqliteProcesses, ConcurrentSingleStatementWritesAllLand) {
  TempDir dir;
  const auto file = dir.path() / "parley.db";
  {
    auto db = store::Sqlite::open(file);
    ASSERT_TRUE(db);
  }
  ASSERT_TRUE(in_processes([&](int p) {
    auto db = store::Sqlite::open(file);
    if (!db) return false;
    for (int n = 0; n < kEach; ++n) {
      const std::string id = "c" + std::to_string(p) + "-" + std::to_string(n);
      if (!(*db)->put_connection({id, "n", 1, "", 0, "", -1})) return false;
      if (!(*db)->put_member({"lobby", id, "n", 1, 0})) return false;
    }
    return true;
  }));
  auto db = store::Sqlite::open(file);
  ASSERT_TRUE(db);
  auto members = (*db)->members("lobby");
  ASSERT_TRUE(members);
  EXPECT_EQ(members->size(), static_cast<std::size_t>(kProcesses * kEach));
}

}  // namespace
