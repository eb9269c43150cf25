#include "store/sqlite/sqlite_schema.hpp"

#include <span>
#include <string>

#include "core/log.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace store {
namespace {

// The tables of docs/data-model.md, one for one. Tables are WITHOUT ROWID: rows are stored in
// primary-key order, so the key is the table's only b-tree (no hidden rowid plus a second index
// for the key) and rows sharing a room sit together, as in a DynamoDB partition. rooms alone
// keeps version 1's rowid shape, so a file has the same tables whether new or upgraded.
// Plain CREATE (no IF NOT EXISTS): a table we did not expect fails the open loudly instead of
// being used with whatever shape it has.
//
// Changing a table means a new schema version: raise kSqliteSchemaVersion, write the new shape
// here (what a new file gets) and add an upgrade step below that turns the previous version's
// file into exactly that shape (SqliteSchema.UpgradedFileHasTheShapeOfANewOne checks it).
constexpr const char* kConnections = R"sql(
CREATE TABLE connections (
  connectionid TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  connectedAt INTEGER NOT NULL DEFAULT 0,
  gateway TEXT NOT NULL DEFAULT '',
  homeRoom TEXT NOT NULL DEFAULT '',
  since INTEGER NOT NULL DEFAULT -1,
  ttl INTEGER NOT NULL DEFAULT 0,
  userId TEXT NOT NULL DEFAULT '') WITHOUT ROWID;
)sql";

// The key (room, connectionid) makes members(room) one range of the table itself. The index is
// the GSI connection-index with projection ALL: it holds every column, so memberships() reads
// the index alone, already ordered by room.
constexpr const char* kMembers = R"sql(
CREATE TABLE members (
  room TEXT NOT NULL,
  connectionid TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  joinedAt INTEGER NOT NULL DEFAULT 0,
  ttl INTEGER NOT NULL DEFAULT 0,
  userId TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (room, connectionid)) WITHOUT ROWID;
CREATE INDEX connection_index ON members (connectionid, room, name, joinedAt, ttl, userId);
)sql";

// clientMsgId, "to" and userId come last because that is where version 1's ALTER TABLE puts them.
// "to" is quoted everywhere: TO is an SQL keyword.
constexpr const char* kMessages = R"sql(
CREATE TABLE messages (
  room TEXT NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  sender TEXT NOT NULL,
  name TEXT NOT NULL,
  text TEXT NOT NULL,
  ts INTEGER NOT NULL,
  ttl INTEGER NOT NULL DEFAULT 0,
  clientMsgId TEXT NOT NULL DEFAULT '',
  "to" TEXT NOT NULL DEFAULT '',
  userId TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (room, seq)) WITHOUT ROWID;
)sql";

// reserved: the highest seq this room may reach before its next synced commit (SQLite only:
// Sqlite::recover_counters).
constexpr const char* kRooms = R"sql(
CREATE TABLE rooms (
  room TEXT PRIMARY KEY NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0,
  createdAt INTEGER NOT NULL,
  reserved INTEGER NOT NULL DEFAULT 0);
)sql";

// (room, clientMsgId) -> seq of the message stored with that idempotency key.
constexpr const char* kClientMsgs = R"sql(
CREATE TABLE clientmsgs (
  room TEXT NOT NULL,
  clientMsgId TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (room, clientMsgId)) WITHOUT ROWID;
)sql";

// A new file (user_version 0).
constexpr const char* kNewFile[] = {kConnections, kMembers, kMessages, kRooms, kClientMsgs};

// Version 1 -> 2. messages holds the history, so it is altered in place: ADD COLUMN with a
// constant default only rewrites the schema text, not the rows, so it is instant on any history
// size. rooms (the seq counters) is unchanged. connections rows are transient (the sockets they
// describe died with the process that wrote them), so the table is recreated rather than
// rebuilt column by column; its room_index goes with it.
constexpr const char* kUpgrade1To2[] = {
    "DROP TABLE connections",
    kConnections,
    kMembers,
    kClientMsgs,
    "ALTER TABLE messages ADD COLUMN clientMsgId TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE messages ADD COLUMN \"to\" TEXT NOT NULL DEFAULT ''",
};

// Version 2 -> 3: connections gains userId (the authorizer's principal). Its rows are transient,
// as above: recreated.
constexpr const char* kUpgrade2To3[] = {
    "DROP TABLE connections",
    kConnections,
};

// Version 3 -> 4: members rows and messages gain the user id (the DMs are keyed by it,
// docs/data-model.md). members rows are transient (cleared at every start): recreated; messages
// altered in place as in 1 -> 2.
constexpr const char* kUpgrade3To4[] = {
    "DROP TABLE members",
    kMembers,
    "ALTER TABLE messages ADD COLUMN userId TEXT NOT NULL DEFAULT ''",
};

// Version 4 -> 5: rooms gains reserved (0: the first append reserves; no seq was lost before).
constexpr const char* kUpgrade4To5[] = {
    "ALTER TABLE rooms ADD COLUMN reserved INTEGER NOT NULL DEFAULT 0",
};

core::result<void> exec_all(SqliteConnection& c, std::span<const char* const> sqls) {
  for (const char* sql : sqls) {
    if (auto r = c.exec(sql); !r) return r;
  }
  return {};
}

core::result<void> use_wal(SqliteConnection& c) {
  // 1 KiB pages, for a new file only (an existing one keeps its page size: changing it means
  // a VACUUM out of WAL mode). A commit appends each page it changed to the WAL: a $connect
  // changes three (connections, members and its index, at random places), a message two or
  // three. Against 4 KiB pages: ~6 % less CPU per connection, +8 % messages/s and delivery p99
  // 12-15 -> 7.5 ms in a room of 100 (docs/performance-notes.md).
  if (auto r = c.exec("PRAGMA page_size=1024"); !r) return r;
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

// All of it in one write transaction (SQLite DDL is transactional): two processes opening the
// file at once cannot both create or upgrade it, since the second reads user_version only after
// the first committed; and a failed upgrade rolls back to the untouched old version.
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
  if (version == kSqliteSchemaVersion) return tx->commit();
  if (version == 0) {
    if (auto r = exec_all(c, kNewFile); !r) return r;
  } else {
    if (version == 1) {
      if (auto r = exec_all(c, kUpgrade1To2); !r) return r;
    }
    if (version <= 2) {
      if (auto r = exec_all(c, kUpgrade2To3); !r) return r;
    }
    if (version <= 3) {
      if (auto r = exec_all(c, kUpgrade3To4); !r) return r;
    }
    if (auto r = exec_all(c, kUpgrade4To5); !r) return r;
    core::log::info("sqlite schema upgraded", {{"from", version}, {"to", kSqliteSchemaVersion}});
  }
  std::string set = "PRAGMA user_version=" + std::to_string(kSqliteSchemaVersion);
  if (auto r = c.exec(set.c_str()); !r) return r;
  return tx->commit();
}

}  // namespace

core::result<void> prepare_database(SqliteConnection& writer) {
  if (auto r = use_wal(writer); !r) return r;
  return migrate(writer);
}

}  // namespace store
