#pragma once
// One sqlite3 connection with its cache of prepared statements, and the statement and
// transaction guards the adapter builds on. Internal to store/sqlite: keeps <sqlite3.h> out of
// sqlite_store.hpp. A connection is used by one thread at a time (the adapter guarantees it).
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/error.hpp"

namespace store {

// Logs sqlite's own message for `rc` (the part an operator needs) and returns store_unavailable.
boost::system::error_code sqlite_failure(sqlite3* db, std::string_view op, int rc);

// A cached prepared statement on loan. Resetting on scope exit ends its read snapshot and
// clearing the bindings drops its pointers into the caller's strings, which it binds without
// copying (SQLITE_STATIC); so bound strings must outlive the Statement.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* s) noexcept : s_(s) {}
  Statement(Statement&& o) noexcept : s_(o.s_), bind_rc_(o.bind_rc_) { o.s_ = nullptr; }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  Statement& bind(int index, std::string_view v);
  Statement& bind(int index, std::int64_t v);
  // SQLITE_ROW, SQLITE_DONE, or the error code (including the first failed bind's).
  int step();
  std::string text(int col) const;
  std::int64_t int64(int col) const;

 private:
  sqlite3_stmt* s_;
  int bind_rc_ = SQLITE_OK;
};

class SqliteConnection {
 public:
  // Opens or creates `file` and applies the per-connection pragmas. query_only guards the
  // read pool against an accidental write outside the writer's lock.
  static core::result<std::unique_ptr<SqliteConnection>> open(
      const std::filesystem::path& file, std::chrono::milliseconds busy_timeout, bool query_only);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // The prepared statement for `sql`, prepared on first use. `sql` is the cache key by
  // content and must stay alive as long as the connection: pass a string literal.
  core::result<Statement> statement(std::string_view sql);
  // Runs statements that return no rows and are run once (DDL), without caching them.
  core::result<void> exec(const char* sql);
  // Runs a cached statement that returns no rows (BEGIN, COMMIT); `sql` as for statement().
  core::result<void> exec_cached(const char* sql);
  bool in_transaction() const noexcept { return sqlite3_get_autocommit(db_) == 0; }

  // Calls `hook(arg, pages)` after each commit of this connection, with the WAL's size in pages,
  // on the committing thread (inside COMMIT: the hook may checkpoint this connection). Replaces
  // SQLite's autocheckpoint on this connection; nullptr removes the hook (no autocheckpoint).
  using WalHook = void (*)(void* arg, int wal_pages);
  void on_wal_commit(WalHook hook, void* arg);
  // A PASSIVE checkpoint: copies what it can of the WAL into the database without waiting for
  // the writer or readers. `busy`: another connection was checkpointing (nothing done).
  struct Checkpointed {
    bool busy = false;
    int wal_pages = 0;     // pages in the WAL
    int copied_pages = 0;  // of those, in the database now
  };
  core::result<Checkpointed> checkpoint_passive();
  boost::system::error_code failure(std::string_view op, int rc) const {
    return sqlite_failure(db_, op, rc);
  }

 private:
  explicit SqliteConnection(sqlite3* db) noexcept : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string_view, sqlite3_stmt*> cache_;
  WalHook wal_hook_ = nullptr;
  void* wal_hook_arg_ = nullptr;
};

// Steps a statement that returns no rows (a write); anything but SQLITE_DONE fails `op`.
core::result<void> step_done(SqliteConnection& c, Statement& s, std::string_view op);

// BEGIN IMMEDIATE ... COMMIT; rolls back unless committed. IMMEDIATE takes the write lock at
// BEGIN, so a second process on the same file waits in busy_timeout there instead of failing
// with SQLITE_BUSY when a deferred transaction tries to upgrade its read lock mid-way.
class WriteTransaction {
 public:
  static core::result<WriteTransaction> begin(SqliteConnection& c);
  WriteTransaction(WriteTransaction&& o) noexcept : c_(o.c_) { o.c_ = nullptr; }
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  WriteTransaction& operator=(WriteTransaction&&) = delete;
  ~WriteTransaction();
  core::result<void> commit();

 private:
  explicit WriteTransaction(SqliteConnection& c) noexcept : c_(&c) {}
  SqliteConnection* c_;
};

}  // namespace store
