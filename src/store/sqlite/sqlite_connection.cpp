#include "store/sqlite/sqlite_connection.hpp"

#include "core/log.hpp"

namespace store {

boost::system::error_code sqlite_failure(sqlite3* db, std::string_view op, int rc) {
  core::log::error("sqlite failed", {{"op", op},
                                      {"rc", rc},
                                      {"error", sqlite3_errstr(rc)},
                                      {"detail", db ? sqlite3_errmsg(db) : "no connection"}});
  return core::make_error_code(core::errc::store_unavailable);
}

Statement::~Statement() {
  if (!s_) return;
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

Statement& Statement::bind(int index, std::string_view v) {
  // An empty view may have a null data(), which sqlite would store as NULL rather than "".
  const char* data = v.data() ? v.data() : "";
  int rc = sqlite3_bind_text64(s_, index, data, v.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Statement& Statement::bind(int index, std::int64_t v) {
  int rc = sqlite3_bind_int64(s_, index, v);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

int Statement::step() { return bind_rc_ != SQLITE_OK ? bind_rc_ : sqlite3_step(s_); }

std::string Statement::text(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col))) : std::string();
}

std::int64_t Statement::int64(int col) const { return sqlite3_column_int64(s_, col); }

core::result<std::unique_ptr<SqliteConnection>> SqliteConnection::open(
    const std::filesystem::path& file, std::chrono::milliseconds busy_timeout, bool query_only) {
  // NOMUTEX: the adapter already gives each connection to one thread at a time, so sqlite's
  // own per-connection mutex would be pure overhead.
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    auto ec = sqlite_failure(db, "open " + file.string(), rc);
    sqlite3_close_v2(db);
    return ec;
  }
  std::unique_ptr<SqliteConnection> c(new SqliteConnection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  // WAL + synchronous=NORMAL: a commit is appended to the WAL without an fsync; the fsync
  // happens at checkpoints. Every committed transaction survives a crash of this process
  // (kill -9) because the WAL is in the OS page cache; only an OS crash or power loss can
  // lose the last few transactions, never corrupt the file. FULL would fsync every message.
  // synchronous is per connection, and any connection may run the checkpoint, so set it on all.
  if (auto r = c->exec("PRAGMA synchronous=NORMAL"); !r) return r.error();
  // Checkpoints every 4,000 WAL pages (16 MiB) instead of 1,000: a page written by several
  // commits in between is copied into the database once. Connect storms spend ~3 % less CPU.
  if (auto r = c->exec("PRAGMA wal_autocheckpoint=4000"); !r) return r.error();
  // Statement journals (a SAVEPOINT's undo pages: the group commit takes one per write) in
  // memory, in 1 KiB chunks: with the default they were held in one 64 KiB chunk, a fresh
  // allocation (and free) past the allocator's thread cache on every write.
  if (auto r = c->exec("PRAGMA temp_store=MEMORY"); !r) return r.error();
  if (query_only) {
    if (auto r = c->exec("PRAGMA query_only=1"); !r) return r.error();
  }
  return c;
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, s] : cache_) sqlite3_finalize(s);
  sqlite3_close_v2(db_);
}

void SqliteConnection::on_wal_commit(WalHook hook, void* arg) {
  wal_hook_ = hook;
  wal_hook_arg_ = arg;
  if (!hook) {
    sqlite3_wal_hook(db_, nullptr, nullptr);
    return;
  }
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int pages) -> int {
        auto* c = static_cast<SqliteConnection*>(self);
        c->wal_hook_(c->wal_hook_arg_, pages);
        return SQLITE_OK;  // the commit itself succeeded whatever the hook did
      },
      this);
}

core::result<SqliteConnection::Checkpointed> SqliteConnection::checkpoint_passive() {
  Checkpointed out;
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &out.wal_pages,
                                     &out.copied_pages);
  if (rc == SQLITE_BUSY) {
    out.busy = true;
    return out;
  }
  if (rc != SQLITE_OK) return failure("wal_checkpoint", rc);
  return out;
}

core::result<Statement> SqliteConnection::statement(std::string_view sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return Statement(it->second);
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) return failure("prepare", rc);
  cache_.emplace(sql, s);
  return Statement(s);
}

core::result<void> SqliteConnection::exec(const char* sql) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return failure(sql, rc);
  return {};
}

core::result<void> SqliteConnection::exec_cached(const char* sql) {
  auto s = statement(sql);
  if (!s) return s.error();
  if (int rc = s->step(); rc != SQLITE_DONE) return failure(sql, rc);
  return {};
}

core::result<void> step_done(SqliteConnection& c, Statement& s, std::string_view op) {
  if (int rc = s.step(); rc != SQLITE_DONE) return c.failure(op, rc);
  return {};
}

core::result<WriteTransaction> WriteTransaction::begin(SqliteConnection& c) {
  // A ROLLBACK that failed earlier leaves a transaction open; without this every later BEGIN
  // would fail with "cannot start a transaction within a transaction".
  if (c.in_transaction()) {
    if (auto r = c.exec("ROLLBACK"); !r) return r.error();
  }
  auto s = c.statement("BEGIN IMMEDIATE");
  if (!s) return s.error();
  if (int rc = s->step(); rc != SQLITE_DONE) return c.failure("begin", rc);
  return WriteTransaction(c);
}

core::result<void> WriteTransaction::commit() {
  auto s = c_->statement("COMMIT");
  if (!s) return s.error();
  if (int rc = s->step(); rc != SQLITE_DONE) return c_->failure("commit", rc);
  c_ = nullptr;
  return {};
}

WriteTransaction::~WriteTransaction() {
  // Some errors (SQLITE_FULL, IOERR, NOMEM) already rolled the transaction back.
  if (!c_ || !c_->in_transaction()) return;
  if (auto s = c_->statement("ROLLBACK"); s) {
    if (int rc = s->step(); rc != SQLITE_DONE) c_->failure("rollback", rc);
  }
}

}  // namespace store
