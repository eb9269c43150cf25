// The SQLite file itself: tables, indexes and query plans, and the upgrade of a file written
// by an earlier schema version.
#include <gtest/gtest.h>

#include "sqlite_test_support.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store_contract_fixture.hpp"

namespace {

using namespace sqlite_test;
using store_contract::failed_with;
using store_contract::range;
using store_contract::seqs;

// Version 1's schema, as the previous build wrote it (WAL mode, user_version 1).
constexpr const char* kVersion1 = R"sql(
PRAGMA journal_mode=WAL;
CREATE TABLE connections (
  connectionid TEXT PRIMARY KEY NOT NULL,
  room TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  connectedAt INTEGER NOT NULL DEFAULT 0,
  gateway TEXT NOT NULL DEFAULT '',
  ttl INTEGER NOT NULL DEFAULT 0);
CREATE INDEX room_index ON connections (room, connectionid);
CREATE TABLE messages (
  room TEXT NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  sender TEXT NOT NULL,
  name TEXT NOT NULL,
  text TEXT NOT NULL,
  ts INTEGER NOT NULL,
  ttl INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (room, seq)) WITHOUT ROWID;
CREATE TABLE rooms (
  room TEXT PRIMARY KEY NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0,
  createdAt INTEGER NOT NULL);
PRAGMA user_version=1;
)sql";

// Some history in two rooms, and a connection row of the process that wrote it.
constexpr const char* kVersion1Rows = R"sql(
INSERT INTO messages VALUES ('lobby', 1, 'id1', 'c1=', 'ann', 'first', 1700000000001, 0);
INSERT INTO messages VALUES ('lobby', 2, 'id2', 'c2=', 'bob', 'second', 1700000000002, 1800000000);
INSERT INTO messages VALUES ('kitchen', 1, 'id3', 'c1=', 'ann', 'cook', 1700000000003, 0);
INSERT INTO rooms VALUES ('lobby', 2, 1700000000001);
INSERT INTO rooms VALUES ('kitchen', 1, 1700000000003);
INSERT INTO connections VALUES ('c1=', 'lobby', 'ann', 1700000000000, '', 0);
)sql";

// Everything the schema consists of, in a form that does not depend on how the CREATE text was
// written: each table's kind and columns, each index's table and columns.
std::vector<std::string> shape(const fs::path& file) {
  std::vector<std::string> out;
  for (const auto& t : rows(file, "SELECT name, wr FROM pragma_table_list "
                                  "WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' "
                                  "ORDER BY name")) {
    out.push_back("table " + t);
    auto name = t.substr(0, t.find('|'));
    for (const auto& c : rows(file, "SELECT * FROM pragma_table_xinfo('" + name + "')")) {
      out.push_back("  " + c);
    }
  }
  for (const auto& i : rows(file, "SELECT name, tbl_name FROM sqlite_schema "
                                  "WHERE type = 'index' ORDER BY name")) {
    out.push_back("index " + i);
    auto name = i.substr(0, i.find('|'));
    for (const auto& c : rows(file, "SELECT * FROM pragma_index_xinfo('" + name + "')")) {
      out.push_back("  " + c);
    }
  }
  return out;
}

class SqliteSchema : public ::testing::Test {
 protected:
  std::unique_ptr<store::Sqlite> open(const fs::path& file) {
    auto s = store::Sqlite::open(file);
    EXPECT_TRUE(s) << s.error();
    return s ? std::move(*s) : nullptr;
  }
  void make_version1(const fs::path& file) {
    fs::create_directories(file.parent_path());
    ASSERT_EQ(exec(file, kVersion1), "");
    ASSERT_EQ(exec(file, kVersion1Rows), "");
  }
  TempDir dir_;
  fs::path file_ = dir_.path() / "data" / "nested" / "parley.db";
};

TEST_F(SqliteSchema, FirstOpenCreatesParentDirectoryAndSchema) {
  ASSERT_TRUE(open(file_));
  EXPECT_TRUE(fs::exists(file_));
  for (std::string name :
       {"connections", "members", "connection_index", "messages", "rooms", "clientmsgs"}) {
    EXPECT_EQ(query(file_, "SELECT name FROM sqlite_schema WHERE name = '" + name + "'"), name);
  }
  for (std::string table : {"connections", "members", "messages", "clientmsgs"}) {
    EXPECT_EQ(query(file_, "SELECT wr FROM pragma_table_list WHERE name = '" + table + "'"), "1")
        << table << " should be WITHOUT ROWID";
  }
  EXPECT_EQ(query(file_, "PRAGMA user_version"), std::to_string(store::kSqliteSchemaVersion));
  EXPECT_EQ(store::kSqliteSchemaVersion, 5);
}

TEST_F(SqliteSchema, JournalModeIsWal) {
  ASSERT_TRUE(open(file_));
  EXPECT_EQ(query(file_, "PRAGMA journal_mode"), "wal");  // WAL is a property of the file
}

TEST_F(SqliteSchema, ANewFileHasOneKibPagesAndAnOldOneKeepsItsOwn) {
  ASSERT_TRUE(open(file_));
  EXPECT_EQ(query(file_, "PRAGMA page_size"), "1024");
  const auto old_file = dir_.path() / "old.db";
  ASSERT_EQ(exec(old_file, "PRAGMA page_size=4096; CREATE TABLE t (x); PRAGMA journal_mode=WAL"), "");
  ASSERT_EQ(query(old_file, "PRAGMA page_size"), "4096");
  ASSERT_TRUE(open(old_file));
  EXPECT_EQ(query(old_file, "PRAGMA page_size"), "4096");
}

// The queries below are the adapter's own (sqlite_store.cpp, sqlite_messages.cpp).
TEST_F(SqliteSchema, MembersQueryIsAKeySearchInConnectionIdOrder) {
  ASSERT_TRUE(open(file_));
  auto p = plan(file_, "SELECT room, connectionid, name, joinedAt, ttl FROM members "
                       "WHERE room = 'x' ORDER BY connectionid");
  EXPECT_EQ(p, "SEARCH members USING PRIMARY KEY (room=?)");  // no scan, no sort step
}

TEST_F(SqliteSchema, MembershipsQueryIsACoveringIndexSearchInRoomOrder) {
  ASSERT_TRUE(open(file_));
  auto p = plan(file_, "SELECT room, connectionid, name, joinedAt, ttl FROM members "
                       "INDEXED BY connection_index WHERE connectionid = 'x' ORDER BY room");
  EXPECT_EQ(p, "SEARCH members USING COVERING INDEX connection_index (connectionid=?)");
}

TEST_F(SqliteSchema, AppendLooksUpItsKeysWithoutScanning) {
  ASSERT_TRUE(open(file_));
  auto p = plan(file_,
                "SELECT m.room, m.seq, m.id, m.sender, m.name, m.text, m.ts, m.ttl, m.clientMsgId, "
                "m.\"to\" FROM clientmsgs AS c JOIN messages AS m ON m.room = c.room AND "
                "m.seq = c.seq WHERE c.room = 'x' AND c.clientMsgId = 'k'");
  EXPECT_EQ(p, "SEARCH c USING PRIMARY KEY (room=? AND clientMsgId=?); "
               "SEARCH m USING PRIMARY KEY (room=? AND seq=?)");
  EXPECT_EQ(plan(file_, "SELECT seq FROM rooms WHERE room = 'x'"),
            "SEARCH rooms USING INDEX sqlite_autoindex_rooms_1 (room=?)");
}

TEST_F(SqliteSchema, NewerSchemaVersionIsRefused) {
  ASSERT_TRUE(open(file_));
  ASSERT_EQ(exec(file_, "PRAGMA user_version = 99"), "");
  EXPECT_TRUE(failed_with(store::Sqlite::open(file_), core::errc::store_unavailable));
}

TEST_F(SqliteSchema, Version1FileIsUpgradedKeepingHistory) {
  make_version1(file_);
  auto s = open(file_);
  ASSERT_TRUE(s);
  EXPECT_EQ(query(file_, "PRAGMA user_version"), "5");

  auto lobby = s->messages_after("lobby", 0, 10);
  ASSERT_TRUE(lobby) << lobby.error();
  ASSERT_EQ(seqs(*lobby), range(1, 2));
  const auto& m = (*lobby)[1];
  EXPECT_EQ(m.id, "id2");
  EXPECT_EQ(m.sender, "c2=");
  EXPECT_EQ(m.name, "bob");
  EXPECT_EQ(m.text, "second");
  EXPECT_EQ(m.ts, 1700000000002);
  EXPECT_EQ(m.ttl, 1800000000);
  EXPECT_EQ(m.client_msg_id, "");  // the new columns' defaults
  EXPECT_EQ(m.to, "");
  EXPECT_EQ(s->messages_before("kitchen", 0, 10).value().at(0).text, "cook");

  // The counters survived: numbering goes on where it was.
  EXPECT_EQ(s->last_seq("lobby").value(), 2);
  EXPECT_EQ(s->last_seq("kitchen").value(), 1);
  auto keyed = msg("lobby", "third");
  keyed.client_msg_id = "k1";
  EXPECT_EQ(s->append_message(keyed).value().message.seq, 3);
  EXPECT_TRUE(s->append_message(keyed).value().duplicate);

  // connections was recreated empty in the new shape; members is there.
  EXPECT_TRUE(failed_with(s->get_connection("c1="), core::errc::not_found));
  ASSERT_TRUE(s->put_connection({"c1=", "ann", 1, "", 0, "lobby", 2}));
  EXPECT_EQ(s->get_connection("c1=").value().since, 2);
  ASSERT_TRUE(s->put_member({"lobby", "c1=", "ann", 1, 0}));
  EXPECT_EQ(s->memberships("c1=").value().size(), 1u);
  EXPECT_EQ(query(file_, "SELECT count(*) FROM sqlite_schema WHERE name = 'room_index'"), "0");
}

// Version 2 (before userId): connections is recreated in the new shape, the rest is kept.
TEST_F(SqliteSchema, Version2FileIsUpgradedWithAUserIdOnConnections) {
  {
    auto s = open(file_);
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->append_message(msg("lobby", "kept")));
  }
  ASSERT_EQ(exec(file_, "DROP TABLE connections; CREATE TABLE connections ("
                        "connectionid TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL DEFAULT '', "
                        "connectedAt INTEGER NOT NULL DEFAULT 0, gateway TEXT NOT NULL DEFAULT '', "
                        "homeRoom TEXT NOT NULL DEFAULT '', since INTEGER NOT NULL DEFAULT -1, "
                        "ttl INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID; "
                        "ALTER TABLE messages DROP COLUMN userId; ALTER TABLE rooms DROP COLUMN reserved; "
                        "PRAGMA user_version = 2;"), "");
  auto s = open(file_);
  ASSERT_TRUE(s);
  EXPECT_EQ(query(file_, "PRAGMA user_version"), "5");
  store::Connection c{"c1=", "ann", 1, "", 0, "lobby", 2, "user-ann"};
  ASSERT_TRUE(s->put_connection(c));
  EXPECT_EQ(s->get_connection("c1=").value().user_id, "user-ann");
  EXPECT_EQ(s->messages_after("lobby", 0, 10).value().at(0).text, "kept");
  auto fresh = dir_.path() / "fresh.db";
  ASSERT_TRUE(open(fresh));
  EXPECT_EQ(shape(file_), shape(fresh));
}

// Version 3 (DMs keyed by names, no user ids on members and messages): members is recreated
// (its rows are transient), messages gains userId in place and keeps its rows — the old
// "dm:<name>:<name>" rooms included, which no party check opens any more (data-model.md).
TEST_F(SqliteSchema, Version3FileIsUpgradedWithUserIdsOnMembersAndMessages) {
  {
    auto s = open(file_);
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->append_message(msg("dm:ann:bob", "old dm")));
  }
  ASSERT_EQ(exec(file_, "DROP TABLE members; CREATE TABLE members (room TEXT NOT NULL, "
                        "connectionid TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', "
                        "joinedAt INTEGER NOT NULL DEFAULT 0, ttl INTEGER NOT NULL DEFAULT 0, "
                        "PRIMARY KEY (room, connectionid)) WITHOUT ROWID; "
                        "CREATE INDEX connection_index ON members (connectionid, room, name, joinedAt, ttl); "
                        "ALTER TABLE messages DROP COLUMN userId; ALTER TABLE rooms DROP COLUMN reserved; "
                        "PRAGMA user_version = 3;"), "");
  auto s = open(file_);
  ASSERT_TRUE(s);
  EXPECT_EQ(query(file_, "PRAGMA user_version"), "5");
  const auto old = s->messages_after("dm:ann:bob", 0, 10).value();
  ASSERT_EQ(old.size(), 1u);
  EXPECT_EQ(old[0].text, "old dm");
  EXPECT_EQ(old[0].user_id, "");
  store::Member m{"lobby", "c1=", "ann", 1, 0, "", "g_ann"};
  ASSERT_TRUE(s->put_member(m));
  EXPECT_EQ(s->members("lobby").value().at(0).user_id, "g_ann");
  EXPECT_EQ(s->memberships("c1=").value().at(0).user_id, "g_ann");
  auto mine = msg("lobby", "mine");
  mine.user_id = "g_ann";
  ASSERT_TRUE(s->append_message(mine));
  EXPECT_EQ(s->messages_before("lobby", 0, 10).value().at(0).user_id, "g_ann");
  auto fresh = dir_.path() / "fresh.db";
  ASSERT_TRUE(open(fresh));
  EXPECT_EQ(shape(file_), shape(fresh));
}

// The upgrade path and the new-file path must not drift apart: same tables, same columns with
// the same types, defaults and keys, same indexes.
TEST_F(SqliteSchema, UpgradedFileHasTheShapeOfANewOne) {
  make_version1(file_);
  ASSERT_TRUE(open(file_));
  auto fresh = dir_.path() / "fresh.db";
  ASSERT_TRUE(open(fresh));
  auto want = shape(fresh);
  ASSERT_GT(want.size(), 30u);  // the pragmas answered
  EXPECT_EQ(shape(file_), want);
}

TEST_F(SqliteSchema, UpgradedFileOpensAgainWithoutChange) {
  make_version1(file_);
  ASSERT_TRUE(open(file_));
  auto before = shape(file_);
  auto s = open(file_);
  ASSERT_TRUE(s);
  EXPECT_EQ(shape(file_), before);
  EXPECT_EQ(seqs(s->messages_after("lobby", 0, 10).value()), range(1, 2));
}

// DDL is transactional in SQLite: an upgrade that fails half-way leaves the version 1 file as
// it was, so the previous build still runs on it. A stray table makes the upgrade fail.
TEST_F(SqliteSchema, FailedUpgradeLeavesTheVersion1FileUntouched) {
  make_version1(file_);
  ASSERT_EQ(exec(file_, "CREATE TABLE clientmsgs (x)"), "");
  auto before = shape(file_);
  EXPECT_TRUE(failed_with(store::Sqlite::open(file_), core::errc::store_unavailable));
  EXPECT_EQ(query(file_, "PRAGMA user_version"), "1");
  EXPECT_EQ(shape(file_), before);
  EXPECT_EQ(query(file_, "SELECT count(*) FROM messages"), "3");
  EXPECT_EQ(query(file_, "SELECT room FROM connections WHERE connectionid = 'c1='"), "lobby");
}

}  // namespace
