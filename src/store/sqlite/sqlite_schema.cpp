#include "store/sqlite/sqlite_schema.hpp"

#include <string>

#include "core/log.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace store {
namespace {

// The DynamoDB tables, one for one. connections is a rowid table so room_index, which holds
// (room, connectionid, rowid), answers connections_in_room on its own: the GSI's Query.
// messages is WITHOUT ROWID so rows are stored in (room, seq) order, clustered per room.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS connections (
  connectionid TEXT PRIMARY KEY NOT NULL,
  room TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  connectedAt INTEGER NOT NULL DEFAULT 0,
  gateway TEXT NOT NULL DEFAULT '',
  ttl INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS room_index ON connections (room, connectionid);
CREATE TABLE IF NOT EXISTS messages (
  room TEXT NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  sender TEXT NOT NULL,
  name TEXT NOT NULL,
  text TEXT NOT NULL,
  ts INTEGER NOT NULL,
  ttl INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (room, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rooms (
  room TEXT PRIMARY KEY NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0,
  createdAt INTEGER NOT NULL);
)sql";

core::result<void> use_wal(SqliteConnection& c) {
  auto s = c.statement("PRAGMA journal_mode=WAL");
  if (!s) return s.error();
  if (int rc = s->step(); rc != SQLITE_ROW) return c.failure("journal_mode", rc);
  // Some file systems (network mounts) refuse WAL; sqlite then keeps the rollback journal.
  // Everything still works, with readers and the writer taking turns, so warn, do not fail.
  if (auto mode = s->text(0); mode != "wal") {
    core::log::warn("sqlite refused WAL mode", {{"journal_mode", mode}});
  }
  return {};
}

core::result<void> migrate(SqliteConnection& c) {
  auto tx = WriteTransaction::begin(c);
  if (!tx) return tx.error();
  std::int64_t version = 0;
  {
    auto s = c.statement("PRAGMA user_version");
    if (!s) return s.error();
    if (int rc = s->step(); rc != SQLITE_ROW) return c.failure("user_version", rc);
    version = s->int64(0);
  }
  if (version > kSqliteSchemaVersion) {
    // Written by a newer parley: writing to it could break what that version relies on.
    core::log::error("sqlite schema is newer than this build",
                     {{"user_version", version}, {"supported", kSqliteSchemaVersion}});
    return core::make_error_code(core::errc::store_unavailable);
  }
  if (version < kSqliteSchemaVersion) {
    if (auto r = c.exec(kSchema); !r) return r;
    std::string set = "PRAGMA user_version=" + std::to_string(kSqliteSchemaVersion);
    if (auto r = c.exec(set.c_str()); !r) return r;
  }
  return tx->commit();
}

}  // namespace

core::result<void> prepare_database(SqliteConnection& writer) {
  if (auto r = use_wal(writer); !r) return r;
  return migrate(writer);
}

}  // namespace store
