#include "store/sqlite/sqlite_store.hpp"

#include <algorithm>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "store/sqlite/group_commit.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_messages.hpp"
#include "store/sqlite/sqlite_schema.hpp"
#include "store/sqlite/wal_checkpointer.hpp"

namespace store {
namespace {

using core::errc;
using core::make_error_code;

constexpr const char* kPutConnection =
    "INSERT OR REPLACE INTO connections "
    "(connectionid, name, connectedAt, gateway, homeRoom, since, ttl, userId) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr const char* kGetConnection =
    "SELECT connectionid, name, connectedAt, gateway, ttl, homeRoom, since, userId FROM connections "
    "WHERE connectionid = ?1";
constexpr const char* kDeleteConnection = "DELETE FROM connections WHERE connectionid = ?1";
constexpr const char* kPutMember =
    "INSERT OR REPLACE INTO members (room, connectionid, name, joinedAt, ttl, userId) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char* kDeleteMember = "DELETE FROM members WHERE room = ?1 AND connectionid = ?2";
// A range of the table's own key, already in connectionid order: the Query on the key.
constexpr const char* kMembers =
    "SELECT room, connectionid, name, joinedAt, ttl, userId FROM members WHERE room = ?1 "
    "ORDER BY connectionid";
// INDEXED BY: should the index ever be missing, the statement fails to prepare instead of
// silently scanning the table (the GSI's Query never becomes a Scan).
constexpr const char* kMemberships =
    "SELECT room, connectionid, name, joinedAt, ttl, userId FROM members INDEXED BY connection_index "
    "WHERE connectionid = ?1 ORDER BY room";

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

// The writer for a write that does not go through the group commit (single writes, renames,
// the counters): the open batch (group_commit.hpp) is committed first, so that this write
// neither joins its fate nor begins a transaction inside it.
struct WriterLock {
  WriterLock(std::mutex& write_mutex, GroupCommit& group) : lock(write_mutex) {
    group.commit_open_locked();
  }
  std::unique_lock<std::mutex> lock;
};

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
    : file_(std::move(file)),
      options_(options),
      writer_(std::move(writer)),
      group_(std::make_unique<GroupCommit>(write_mutex_, *writer_)) {
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
    std::unique_ptr<Sqlite> s(new Sqlite(db_file, options, std::move(*writer)));
    auto checkpointer = WalCheckpointer::start(
        db_file, options.busy_timeout, *s->writer_,
        {.start_pages = options.checkpoint_pages, .writer_pages = options.writer_checkpoint_pages});
    if (!checkpointer) return checkpointer.error();
    s->checkpointer_ = std::move(*checkpointer);
    return s;
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

namespace {

// The statements shared by the single calls and their combinations (put_connection_and_member,
// connection_view); `op` names the failure.
core::result<void> write_connection(SqliteConnection& w, const Connection& c, std::string_view op) {
  auto s = w.statement(kPutConnection);
  if (!s) return s.error();
  s->bind(1, c.connection_id).bind(2, c.name).bind(3, c.connected_at).bind(4, c.gateway);
  s->bind(5, c.home_room).bind(6, c.since).bind(7, c.ttl).bind(8, c.user_id);
  return step_done(w, *s, op);
}

core::result<void> write_member(SqliteConnection& w, const Member& m, std::string_view op) {
  auto s = w.statement(kPutMember);
  if (!s) return s.error();
  s->bind(1, m.room).bind(2, m.connection_id).bind(3, m.name).bind(4, m.joined_at);
  s->bind(5, m.ttl).bind(6, m.user_id);
  return step_done(w, *s, op);
}

core::result<Connection> read_connection(SqliteConnection& db, const std::string& connection_id,
                                         std::string_view op) {
  auto s = db.statement(kGetConnection);
  if (!s) return s.error();
  s->bind(1, connection_id);
  const int rc = s->step();
  if (rc == SQLITE_DONE) return make_error_code(errc::not_found);
  if (rc != SQLITE_ROW) return db.failure(op, rc);
  return Connection{s->text(0),  s->text(1), s->int64(2), s->text(3),
                    s->int64(4), s->text(5), s->int64(6), s->text(7)};
}

// kMembers or kMemberships.
core::result<std::vector<Member>> read_member_rows(SqliteConnection& db, const char* sql,
                                                   const std::string& key, std::string_view op) {
  auto s = db.statement(sql);
  if (!s) return s.error();
  s->bind(1, key);
  std::vector<Member> out;
  int rc;
  while ((rc = s->step()) == SQLITE_ROW) {
    out.push_back(Member{s->text(0), s->text(1), s->text(2), s->int64(3), s->int64(4), {}, s->text(5)});
  }
  if (rc != SQLITE_DONE) return db.failure(op, rc);
  return out;
}

}  // namespace

// Single-statement writes run in autocommit: one statement is atomic on its own, and a fresh
// autocommit write retries through busy_timeout, so BEGIN IMMEDIATE would add nothing.
core::result<void> Sqlite::put_connection(const Connection& c) {
  return guarded("put_connection", [&]() -> core::result<void> {
    // home_room is a plain attribute, not a key (rooms are in members): it may be empty.
    if (c.connection_id.empty()) return invalid();
    WriterLock lock(write_mutex_, *group_);
    return write_connection(*writer_, c, "put_connection");
  });
}

core::result<Connection> Sqlite::get_connection(const std::string& connection_id) {
  return guarded("get_connection", [&]() -> core::result<Connection> {
    if (connection_id.empty()) return invalid();
    auto db = lease_reader();
    if (!db) return db.error();
    return read_connection(**db, connection_id, "get_connection");
  });
}

core::result<void> Sqlite::delete_connection(const std::string& connection_id) {
  return guarded("delete_connection", [&]() -> core::result<void> {
    if (connection_id.empty()) return invalid();
    WriterLock lock(write_mutex_, *group_);
    auto s = writer_->statement(kDeleteConnection);
    if (!s) return s.error();
    s->bind(1, connection_id);
    return step_done(*writer_, *s, "delete_connection");
  });
}

core::result<void> Sqlite::put_member(const Member& m) {
  return guarded("put_member", [&]() -> core::result<void> {
    if (m.room.empty() || m.connection_id.empty()) return invalid();
    WriterLock lock(write_mutex_, *group_);
    return write_member(*writer_, m, "put_member");
  });
}

core::result<void> Sqlite::put_connection_and_member(const Connection& c, const Member& m) {
  return guarded("put_connection_and_member", [&]() -> core::result<void> {
    if (c.connection_id.empty() || m.room.empty() || m.connection_id.empty()) return invalid();
    return group_->run([&](SqliteConnection& w, bool) -> core::result<GroupCommit::Written> {
      if (auto r = write_connection(w, c, "put_connection_and_member"); !r) return r.error();
      if (auto r = write_member(w, m, "put_connection_and_member"); !r) return r.error();
      return GroupCommit::Written::written;
    });
  });
}

core::result<void> Sqlite::rename(const Rename& r) {
  return guarded("rename", [&]() -> core::result<void> {
    if (r.connection.connection_id.empty()) return invalid();
    for (const auto& m : r.members)
      if (m.room.empty() || m.connection_id.empty()) return invalid();
    WriterLock lock(write_mutex_, *group_);
    auto tx = WriteTransaction::begin(*writer_);
    if (!tx) return tx.error();
    for (const auto& m : r.members)
      if (auto w = write_member(*writer_, m, "rename"); !w) return w;
    if (auto w = write_connection(*writer_, r.connection, "rename"); !w) return w;
    return tx->commit();
  });
}

core::result<void> Sqlite::delete_member(const std::string& room,
                                         const std::string& connection_id) {
  return guarded("delete_member", [&]() -> core::result<void> {
    if (room.empty() || connection_id.empty()) return invalid();
    WriterLock lock(write_mutex_, *group_);
    auto s = writer_->statement(kDeleteMember);
    if (!s) return s.error();
    s->bind(1, room).bind(2, connection_id);
    return step_done(*writer_, *s, "delete_member");
  });
}

core::result<std::vector<Member>> Sqlite::members(const std::string& room) {
  return read_members(kMembers, room);
}

core::result<std::vector<Member>> Sqlite::memberships(const std::string& connection_id) {
  return read_members(kMemberships, connection_id);
}

core::result<std::vector<Member>> Sqlite::read_members(const char* sql, const std::string& key) {
  return guarded("read_members", [&]() -> core::result<std::vector<Member>> {
    if (key.empty()) return invalid();
    auto db = lease_reader();
    if (!db) return db.error();
    return read_member_rows(**db, sql, key, "read_members");
  });
}

core::result<ConnectionView> Sqlite::connection_view(const std::string& connection_id,
                                                    int newest, const WantsNewest& wants_newest) {
  return guarded("connection_view", [&]() -> core::result<ConnectionView> {
    if (connection_id.empty() || newest <= 0) return invalid();
    auto db = lease_reader();
    if (!db) return db.error();
    // One snapshot for every read: one WAL read lock taken and released instead of one per
    // statement. The transaction only reads, so ending it (COMMIT) cannot fail for a conflict.
    // A reader whose COMMIT failed earlier comes back still in its transaction.
    if ((*db)->in_transaction()) {
      if (auto r = (*db)->exec_cached("ROLLBACK"); !r) return r.error();
    }
    if (auto r = (*db)->exec_cached("BEGIN"); !r) return r.error();
    struct End {
      SqliteConnection& c;
      ~End() {
        if (c.in_transaction()) (void)c.exec_cached("COMMIT");
      }
    } end{**db};
    auto conn = read_connection(**db, connection_id, "connection_view");
    if (!conn) return conn.error();
    auto rows = read_member_rows(**db, kMemberships, connection_id, "connection_view");
    if (!rows) return rows.error();
    ConnectionView view{std::move(*conn), {}};
    view.rooms.reserve(rows->size());
    for (auto& m : *rows) view.rooms.push_back(RoomView{std::move(m), 0, {}});
    for (auto& room : view.rooms) {
      auto last = read_last_seq(**db, room.member.room);
      if (!last) return last.error();
      room.last_seq = *last;
      if (wants_newest && wants_newest(view.connection, room.member)) {
        auto page = read_messages(**db, Page::before, room.member.room,
                                  std::numeric_limits<std::int64_t>::max(),
                                  std::min(newest, options_.max_page));
        if (!page) return page.error();
        room.newest = std::move(*page);
      }
    }
    return view;
  });
}

core::result<Appended> Sqlite::append_message(Message m) {
  return guarded("append_message", [&]() -> core::result<Appended> {
    if (m.room.empty()) return invalid();
    const auto now = core::now_ms();
    std::optional<Appended> out;
    // When the room's reservation is used up, this append raises it (`synced`: the group
    // commits synced, once per kSeqReserve messages of the room), so that no crash takes the
    // counter below a seq shown. A batch run again starts from the same message.
    auto r = group_->run([&](SqliteConnection& w, bool synced) -> core::result<GroupCommit::Written> {
      auto stored = store_message(w, m, now, synced);
      if (!stored) return stored.error();
      out = std::move(*stored);
      return out ? GroupCommit::Written::written : GroupCommit::Written::needs_sync;
    });
    if (!r) return r.error();
    if (!out) return make_error_code(errc::internal);
    return std::move(*out);
  });
}

core::result<std::vector<Message>> Sqlite::messages_before(const std::string& room,
                                                           std::int64_t before_seq, int limit) {
  return guarded("messages_before", [&]() -> core::result<std::vector<Message>> {
    if (room.empty() || limit <= 0) return invalid();
    auto db = lease_reader();
    if (!db) return db.error();
    if (before_seq <= 0) before_seq = std::numeric_limits<std::int64_t>::max();
    return read_messages(**db, Page::before, room, before_seq, std::min(limit, options_.max_page));
  });
}

core::result<std::vector<Message>> Sqlite::messages_after(const std::string& room,
                                                          std::int64_t after_seq, int limit) {
  return guarded("messages_after", [&]() -> core::result<std::vector<Message>> {
    if (room.empty() || limit <= 0) return invalid();
    auto db = lease_reader();
    if (!db) return db.error();
    return read_messages(**db, Page::after, room, after_seq, std::min(limit, options_.max_page));
  });
}

core::result<std::int64_t> Sqlite::last_seq(const std::string& room) {
  return guarded("last_seq", [&]() -> core::result<std::int64_t> {
    if (room.empty()) return invalid();
    auto db = lease_reader();
    if (!db) return db.error();
    return read_last_seq(**db, room);
  });
}

core::result<void> Sqlite::clear_connections() {
  return guarded("clear_connections", [&]() -> core::result<void> {
    WriterLock lock(write_mutex_, *group_);
    return writer_->exec("BEGIN IMMEDIATE; DELETE FROM members; DELETE FROM connections; COMMIT;");
  });
}

core::result<std::int64_t> Sqlite::recover_counters() {
  return guarded("recover_counters", [&]() -> core::result<std::int64_t> {
    WriterLock lock(write_mutex_, *group_);
    auto tx = WriteTransaction::begin(*writer_);
    if (!tx) return tx.error();
    std::int64_t moved = 0;
    {
      auto up = writer_->statement("UPDATE rooms SET seq = reserved WHERE reserved > seq RETURNING room");
      if (!up) return up.error();
      int rc;
      while ((rc = up->step()) == SQLITE_ROW) ++moved;
      if (rc != SQLITE_DONE) return writer_->failure("recover_counters", rc);
    }
    if (auto r = tx->commit(); !r) return r.error();
    return moved;
  });
}

core::result<void> Sqlite::release_reservations() {
  return guarded("release_reservations", [&]() -> core::result<void> {
    WriterLock lock(write_mutex_, *group_);
    // Synced: once it is on disk, so is every counter it matches.
    if (auto r = writer_->exec("PRAGMA synchronous=FULL"); !r) return r;
    auto r = writer_->exec("BEGIN IMMEDIATE; UPDATE rooms SET reserved = seq WHERE reserved > seq; COMMIT;");
    (void)writer_->exec("PRAGMA synchronous=NORMAL");
    return r;
  });
}

core::result<std::unique_ptr<Store>> open_sqlite(const std::filesystem::path& db_file,
                                                 SqliteOptions options) {
  auto s = Sqlite::open(db_file, options);
  if (!s) return s.error();
  return std::unique_ptr<Store>(std::move(*s));
}

}  // namespace store
