#include "store/sqlite/sqlite_store.hpp"

#include <algorithm>
#include <exception>
#include <limits>
#include <string>
#include <system_error>
#include <utility>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_schema.hpp"

namespace store {
namespace {

using core::errc;
using core::make_error_code;

constexpr const char* kPutConnection =
    "INSERT OR REPLACE INTO connections (connectionid, room, name, connectedAt, gateway, ttl) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char* kGetConnection =
    "SELECT connectionid, room, name, connectedAt, gateway, ttl FROM connections "
    "WHERE connectionid = ?1";
constexpr const char* kDeleteConnection = "DELETE FROM connections WHERE connectionid = ?1";
constexpr const char* kConnectionsInRoom =
    "SELECT connectionid FROM connections INDEXED BY room_index WHERE room = ?1 "
    "ORDER BY connectionid";
// The rooms row is the counter (DynamoDB: UpdateItem ADD seq :1 with ReturnValues).
constexpr const char* kNextSeq =
    "INSERT INTO rooms (room, seq, createdAt) VALUES (?1, 1, ?2) "
    "ON CONFLICT (room) DO UPDATE SET seq = seq + 1 RETURNING seq";
constexpr const char* kInsertMessage =
    "INSERT INTO messages (room, seq, id, sender, name, text, ts, ttl) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr const char* kMessagesBefore =
    "SELECT room, seq, id, sender, name, text, ts, ttl FROM messages "
    "WHERE room = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3";
constexpr const char* kMessagesAfter =
    "SELECT room, seq, id, sender, name, text, ts, ttl FROM messages "
    "WHERE room = ?1 AND seq > ?2 ORDER BY seq ASC LIMIT ?3";

boost::system::error_code invalid() { return make_error_code(errc::invalid_argument); }

// The port promises error codes, never exceptions: what escapes the body (bad_alloc, a
// system_error from a mutex) becomes errc::internal.
template <class F>
auto guarded(std::string_view op, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    try {
      core::log::error("store exception", {{"op", op}, {"error", e.what()}});
    } catch (...) {
    }
  } catch (...) {
  }
  return make_error_code(errc::internal);
}

core::result<void> step_done(SqliteConnection& c, Statement& s, std::string_view op) {
  if (int rc = s.step(); rc != SQLITE_DONE) return c.failure(op, rc);
  return {};
}

}  // namespace

// A read connection on loan from the pool; goes back when the lease ends.
class Sqlite::ReadLease {
 public:
  ReadLease(Sqlite& owner, std::unique_ptr<SqliteConnection> c) noexcept
      : owner_(&owner), c_(std::move(c)) {}
  ReadLease(ReadLease&&) noexcept = default;
  ~ReadLease() {
    if (c_) owner_->return_reader(std::move(c_));
  }
  SqliteConnection& operator*() const noexcept { return *c_; }
  SqliteConnection* operator->() const noexcept { return c_.get(); }

 private:
  Sqlite* owner_;
  std::unique_ptr<SqliteConnection> c_;
};

Sqlite::Sqlite(std::filesystem::path file, SqliteOptions options,
               std::unique_ptr<SqliteConnection> writer)
    : file_(std::move(file)), options_(options), writer_(std::move(writer)) {
  // So return_reader, called from a destructor, never allocates.
  idle_readers_.reserve(options_.max_idle_readers);
}

Sqlite::~Sqlite() = default;

core::result<std::unique_ptr<Sqlite>> Sqlite::open(const std::filesystem::path& db_file,
                                                   SqliteOptions options) {
  return guarded("open", [&]() -> core::result<std::unique_ptr<Sqlite>> {
    // ":memory:" would give every pooled connection its own empty database.
    if (db_file.empty() || db_file == ":memory:" || options.max_page <= 0) return invalid();
    if (sqlite3_threadsafe() == 0) {
      core::log::error("sqlite library built without thread support");
      return make_error_code(errc::store_unavailable);
    }
    if (auto dir = db_file.parent_path(); !dir.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      if (ec) {
        core::log::error("cannot create database directory",
                         {{"dir", dir.string()}, {"error", ec.message()}});
        return make_error_code(errc::store_unavailable);
      }
    }
    auto writer = SqliteConnection::open(db_file, options.busy_timeout, false);
    if (!writer) return writer.error();
    if (auto r = prepare_database(**writer); !r) return r.error();
    return std::unique_ptr<Sqlite>(new Sqlite(db_file, options, std::move(*writer)));
  });
}

core::result<Sqlite::ReadLease> Sqlite::lease_reader() {
  {
    std::lock_guard lock(readers_mutex_);
    if (!idle_readers_.empty()) {
      auto c = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReadLease(*this, std::move(c));
    }
  }
  // Opening takes file I/O: outside the lock so other readers are not held up.
  auto c = SqliteConnection::open(file_, options_.busy_timeout, true);
  if (!c) return c.error();
  return ReadLease(*this, std::move(*c));
}

void Sqlite::return_reader(std::unique_ptr<SqliteConnection> c) {
  std::lock_guard lock(readers_mutex_);
  if (idle_readers_.size() < options_.max_idle_readers) idle_readers_.push_back(std::move(c));
  // Otherwise `c` closes when this returns, after the lock is released.
}

// Single-statement writes run in autocommit: one statement is atomic on its own, and a fresh
// autocommit write retries through busy_timeout, so BEGIN IMMEDIATE would add nothing.
core::result<void> Sqlite::put_connection(const Connection& c) {
  return guarded("put_connection", [&]() -> core::result<void> {
    if (c.connection_id.empty() || c.room.empty()) return invalid();
    std::lock_guard lock(write_mutex_);
    auto s = writer_->statement(kPutConnection);
    if (!s) return s.error();
    s->bind(1, c.connection_id).bind(2, c.room).bind(3, c.name).bind(4, c.connected_at);
    s->bind(5, c.gateway).bind(6, c.ttl);
    return step_done(*writer_, *s, "put_connection");
  });
}

core::result<Connection> Sqlite::get_connection(const std::string& connection_id) {
  return guarded("get_connection", [&]() -> core::result<Connection> {
    if (connection_id.empty()) return invalid();
    auto db = lease_reader();
    if (!db) return db.error();
    auto s = (*db)->statement(kGetConnection);
    if (!s) return s.error();
    s->bind(1, connection_id);
    int rc = s->step();
    if (rc == SQLITE_DONE) return make_error_code(errc::not_found);
    if (rc != SQLITE_ROW) return (*db)->failure("get_connection", rc);
    return Connection{s->text(0), s->text(1), s->text(2), s->int64(3), s->text(4), s->int64(5)};
  });
}

core::result<void> Sqlite::delete_connection(const std::string& connection_id) {
  return guarded("delete_connection", [&]() -> core::result<void> {
    if (connection_id.empty()) return invalid();
    std::lock_guard lock(write_mutex_);
    auto s = writer_->statement(kDeleteConnection);
    if (!s) return s.error();
    s->bind(1, connection_id);
    return step_done(*writer_, *s, "delete_connection");
  });
}

core::result<std::vector<std::string>> Sqlite::connections_in_room(const std::string& room) {
  return guarded("connections_in_room", [&]() -> core::result<std::vector<std::string>> {
    if (room.empty()) return invalid();
    auto db = lease_reader();
    if (!db) return db.error();
    auto s = (*db)->statement(kConnectionsInRoom);
    if (!s) return s.error();
    s->bind(1, room);
    std::vector<std::string> ids;
    int rc;
    while ((rc = s->step()) == SQLITE_ROW) ids.push_back(s->text(0));
    if (rc != SQLITE_DONE) return (*db)->failure("connections_in_room", rc);
    return ids;
  });
}

core::result<Message> Sqlite::append_message(Message m) {
  return guarded("append_message", [&]() -> core::result<Message> {
    if (m.room.empty()) return invalid();
    std::lock_guard lock(write_mutex_);
    // Counter and message in one transaction: a failed insert must not burn a seq, or
    // readers would see a gap that never fills.
    auto tx = WriteTransaction::begin(*writer_);
    if (!tx) return tx.error();
    {
      auto s = writer_->statement(kNextSeq);
      if (!s) return s.error();
      s->bind(1, m.room).bind(2, core::now_ms());
      if (int rc = s->step(); rc != SQLITE_ROW) return writer_->failure("next_seq", rc);
      m.seq = s->int64(0);
      if (auto r = step_done(*writer_, *s, "next_seq"); !r) return r.error();
    }
    {
      auto s = writer_->statement(kInsertMessage);
      if (!s) return s.error();
      s->bind(1, m.room).bind(2, m.seq).bind(3, m.id).bind(4, m.sender).bind(5, m.name);
      s->bind(6, m.text).bind(7, m.ts).bind(8, m.ttl);
      if (auto r = step_done(*writer_, *s, "insert_message"); !r) return r.error();
    }
    if (auto r = tx->commit(); !r) return r.error();
    return std::move(m);
  });
}

core::result<std::vector<Message>> Sqlite::messages_before(const std::string& room,
                                                           std::int64_t before_seq, int limit) {
  if (before_seq <= 0) before_seq = std::numeric_limits<std::int64_t>::max();
  return read_messages(kMessagesBefore, room, before_seq, limit, true);
}

core::result<std::vector<Message>> Sqlite::messages_after(const std::string& room,
                                                          std::int64_t after_seq, int limit) {
  return read_messages(kMessagesAfter, room, after_seq, limit, false);
}

core::result<std::vector<Message>> Sqlite::read_messages(const char* sql, const std::string& room,
                                                         std::int64_t seq, int limit,
                                                         bool newest_first) {
  return guarded("read_messages", [&]() -> core::result<std::vector<Message>> {
    if (room.empty() || limit <= 0) return invalid();
    limit = std::min(limit, options_.max_page);
    auto db = lease_reader();
    if (!db) return db.error();
    auto s = (*db)->statement(sql);
    if (!s) return s.error();
    s->bind(1, room).bind(2, seq).bind(3, std::int64_t{limit});
    std::vector<Message> out;
    out.reserve(static_cast<std::size_t>(limit));
    int rc;
    while ((rc = s->step()) == SQLITE_ROW) {
      out.push_back(Message{s->text(0), s->int64(1), s->text(2), s->text(3), s->text(4),
                            s->text(5), s->int64(6), s->int64(7)});
    }
    if (rc != SQLITE_DONE) return (*db)->failure("read_messages", rc);
    // messages_before reads newest first to take the page just below before_seq.
    if (newest_first) std::reverse(out.begin(), out.end());
    return out;
  });
}

core::result<std::unique_ptr<Store>> open_sqlite(const std::filesystem::path& db_file,
                                                 SqliteOptions options) {
  auto s = Sqlite::open(db_file, options);
  if (!s) return s.error();
  return std::unique_ptr<Store>(std::move(*s));
}

}  // namespace store
