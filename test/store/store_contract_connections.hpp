#pragma once
// The Store contract for the connections and members tables. Include store_contract.hpp, not
// this: the suite is only complete (registered) there.
#include <algorithm>

#include "store_contract_fixture.hpp"

namespace store_contract {

TYPED_TEST_P(StoreContract, PutThenGetRoundTripsEveryField) {
  auto c = this->connection("c1", "lobby");
  ASSERT_TRUE(this->store().put_connection(c));
  auto got = this->store().get_connection(c.connection_id);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->connection_id, c.connection_id);
  EXPECT_EQ(got->name, c.name);
  EXPECT_EQ(got->connected_at, c.connected_at);
  EXPECT_EQ(got->gateway, c.gateway);
  EXPECT_EQ(got->ttl, c.ttl);
  EXPECT_EQ(got->home_room, c.home_room);
  EXPECT_EQ(got->since, 41);
  EXPECT_EQ(got->user_id, c.user_id);
}

// Only the key is required; since = -1 ("none") must come back as -1, not 0.
TYPED_TEST_P(StoreContract, ConnectionWithOnlyAnIdKeepsTheDefaults) {
  store::Connection c;
  c.connection_id = this->key("bare");
  ASSERT_TRUE(this->store().put_connection(c));
  auto got = this->store().get_connection(c.connection_id);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->home_room, "");
  EXPECT_EQ(got->since, -1);
  EXPECT_EQ(got->name, "");
  EXPECT_EQ(got->ttl, 0);
  EXPECT_EQ(got->user_id, "");
}

TYPED_TEST_P(StoreContract, GetOfMissingConnectionIsNotFound) {
  EXPECT_TRUE(failed_with(this->store().get_connection(this->key("nobody")), core::errc::not_found));
}

TYPED_TEST_P(StoreContract, PutReplacesTheWholeRow) {
  auto c = this->connection("c1", "lobby");
  ASSERT_TRUE(this->store().put_connection(c));
  c.home_room = this->key("kitchen");
  c.name = "renamed";
  c.gateway = "";
  c.since = -1;
  ASSERT_TRUE(this->store().put_connection(c));
  auto got = this->store().get_connection(c.connection_id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->home_room, c.home_room);
  EXPECT_EQ(got->name, "renamed");
  EXPECT_EQ(got->gateway, "");
  EXPECT_EQ(got->since, -1);
}

TYPED_TEST_P(StoreContract, DeleteRemovesTheRow) {
  auto c = this->connection("c1", "lobby");
  ASSERT_TRUE(this->store().put_connection(c));
  ASSERT_TRUE(this->store().delete_connection(c.connection_id));
  EXPECT_TRUE(failed_with(this->store().get_connection(c.connection_id), core::errc::not_found));
}

TYPED_TEST_P(StoreContract, DeleteOfMissingConnectionSucceeds) {
  EXPECT_TRUE(this->store().delete_connection(this->key("nobody")));
}

// $disconnect reads memberships() to announce the leave, so deleting the connection first must
// not take the member rows with it; the caller deletes them one by one.
TYPED_TEST_P(StoreContract, DeleteConnectionKeepsItsMemberRows) {
  auto c = this->connection("c1", "lobby");
  ASSERT_TRUE(this->store().put_connection(c));
  ASSERT_TRUE(this->store().put_member(this->member("lobby", "c1")));
  ASSERT_TRUE(this->store().delete_connection(c.connection_id));
  EXPECT_EQ(rooms_of(this->store().memberships(c.connection_id).value()),
            std::vector{this->key("lobby")});
  EXPECT_EQ(connection_ids(this->store().members(this->key("lobby")).value()),
            std::vector{c.connection_id});
}

TYPED_TEST_P(StoreContract, PutConnectionAndMemberStoresBothRows) {
  auto c = this->connection("c1", "lobby");
  auto m = this->member("lobby", "c1");
  ASSERT_TRUE(this->store().put_connection_and_member(c, m));
  auto got = this->store().get_connection(c.connection_id);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->name, c.name);
  EXPECT_EQ(got->home_room, c.home_room);
  EXPECT_EQ(got->user_id, c.user_id);
  auto members = this->store().members(m.room);
  ASSERT_TRUE(members) << members.error();
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ((*members)[0].connection_id, c.connection_id);
  EXPECT_EQ((*members)[0].name, m.name);
  EXPECT_EQ((*members)[0].joined_at, m.joined_at);
  EXPECT_EQ(rooms_of(this->store().memberships(c.connection_id).value()), std::vector{m.room});
  // A reconnect with the same id replaces both rows.
  c.name = "again";
  m.name = "again";
  ASSERT_TRUE(this->store().put_connection_and_member(c, m));
  EXPECT_EQ(this->store().get_connection(c.connection_id).value().name, "again");
  EXPECT_EQ(this->store().members(m.room).value().at(0).name, "again");
  EXPECT_EQ(this->store().members(m.room).value().size(), 1u);
}

TYPED_TEST_P(StoreContract, RenameWritesTheConnectionAndEveryMemberRowGiven) {
  auto c = this->connection("c1", "lobby");
  auto lobby = this->member("lobby", "c1");
  auto dev = this->member("dev", "c1");
  ASSERT_TRUE(this->store().put_connection_and_member(c, lobby));
  ASSERT_TRUE(this->store().put_member(dev));
  store::Rename r;
  r.connection = c;
  r.connection.name = "ann";
  r.old_name = c.name;
  r.members = {lobby, dev};
  r.members[0].name = "ann";
  r.members[1].name = "ann-c1";
  r.old_names = {lobby.name, dev.name};
  ASSERT_TRUE(this->store().rename(r));
  auto got = this->store().get_connection(c.connection_id);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->name, "ann");
  EXPECT_EQ(got->home_room, c.home_room);
  EXPECT_EQ(this->store().members(lobby.room).value().at(0).name, "ann");
  EXPECT_EQ(this->store().members(dev.room).value().at(0).name, "ann-c1");
  EXPECT_EQ(this->store().members(dev.room).value().at(0).joined_at, dev.joined_at);
}

TYPED_TEST_P(StoreContract, PutMemberThenMembersRoundTripsEveryField) {
  auto m = this->member("lobby", "c1");
  ASSERT_TRUE(this->store().put_member(m));
  for (auto list : {this->store().members(m.room), this->store().memberships(m.connection_id)}) {
    ASSERT_TRUE(list) << list.error();
    ASSERT_EQ(list->size(), 1u);
    const auto& g = list->front();
    EXPECT_EQ(g.room, m.room);
    EXPECT_EQ(g.connection_id, m.connection_id);
    EXPECT_EQ(g.name, m.name);
    EXPECT_EQ(g.joined_at, m.joined_at);
    EXPECT_EQ(g.ttl, m.ttl);
    EXPECT_EQ(g.user_id, m.user_id);
  }
}

TYPED_TEST_P(StoreContract, MembersListsExactlyThatRoomOrderedByConnectionId) {
  for (auto id : {"c", "a", "b"}) ASSERT_TRUE(this->store().put_member(this->member("lobby", id)));
  ASSERT_TRUE(this->store().put_member(this->member("kitchen", "d")));
  auto got = this->store().members(this->key("lobby"));
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(connection_ids(*got), (std::vector{this->key("a"), this->key("b"), this->key("c")}));
  EXPECT_TRUE(this->store().members(this->key("empty")).value().empty());
}

TYPED_TEST_P(StoreContract, MembershipsListsAConnectionsRoomsOrderedByRoom) {
  for (auto room : {"lobby", "dm:ann:bob", "kitchen"}) {
    ASSERT_TRUE(this->store().put_member(this->member(room, "c1")));
  }
  ASSERT_TRUE(this->store().put_member(this->member("attic", "c2")));
  auto got = this->store().memberships(this->key("c1"));
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(rooms_of(*got),
            (std::vector{this->key("dm:ann:bob"), this->key("kitchen"), this->key("lobby")}));
  EXPECT_TRUE(this->store().memberships(this->key("nobody")).value().empty());
}

TYPED_TEST_P(StoreContract, ConnectionViewReadsTheRowRoomsLastSeqsAndNewestWhereAsked) {
  auto c = this->connection("c1", "lobby");
  ASSERT_TRUE(this->store().put_connection(c));
  for (auto room : {"lobby", "kitchen", "attic"})
    ASSERT_TRUE(this->store().put_member(this->member(room, "c1")));
  ASSERT_TRUE(this->store().put_member(this->member("cellar", "c2")));
  this->append_n("lobby", 3);
  this->append_n("kitchen", 2);
  std::vector<std::string> asked;
  auto view = this->store().connection_view(
      c.connection_id, 2, [&](const store::Connection& got, const store::Member& m) {
        EXPECT_EQ(got.connection_id, c.connection_id);
        asked.push_back(m.room);
        return m.room != this->key("kitchen");
      });
  ASSERT_TRUE(view) << view.error();
  EXPECT_EQ(view->connection.home_room, c.home_room);
  EXPECT_EQ(view->connection.since, 41);
  EXPECT_EQ(view->connection.user_id, c.user_id);
  const std::vector want{this->key("attic"), this->key("kitchen"), this->key("lobby")};
  EXPECT_EQ(asked, want);
  ASSERT_EQ(view->rooms.size(), 3u);
  std::vector<std::string> rooms;
  for (const auto& r : view->rooms) rooms.push_back(r.member.room);
  EXPECT_EQ(rooms, want);
  EXPECT_EQ(view->rooms[0].last_seq, 0);
  EXPECT_TRUE(view->rooms[0].newest.empty());
  EXPECT_EQ(view->rooms[1].last_seq, 2);
  EXPECT_TRUE(view->rooms[1].newest.empty());  // not asked for
  EXPECT_EQ(view->rooms[2].last_seq, 3);
  ASSERT_EQ(view->rooms[2].newest.size(), 2u);
  EXPECT_EQ(view->rooms[2].newest[0].seq, 2);
  EXPECT_EQ(view->rooms[2].newest[1].text, "2");
  EXPECT_EQ(view->rooms[2].member.name, "name of c1");

  EXPECT_TRUE(failed_with(this->store().connection_view(this->key("nobody"), 2, nullptr),
                          core::errc::not_found));
}

// setname and a re-join put the row again: one row, with the new name.
TYPED_TEST_P(StoreContract, PutMemberReplacesTheRow) {
  auto m = this->member("lobby", "c1");
  ASSERT_TRUE(this->store().put_member(m));
  m.name = "renamed";
  m.joined_at += 1000;
  ASSERT_TRUE(this->store().put_member(m));
  auto got = this->store().members(m.room).value();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].name, "renamed");
  EXPECT_EQ(got[0].joined_at, m.joined_at);
  auto rooms = this->store().memberships(m.connection_id).value();
  ASSERT_EQ(rooms.size(), 1u);
  EXPECT_EQ(rooms[0].name, "renamed");  // the connection index sees the new name too
}

TYPED_TEST_P(StoreContract, DeleteMemberRemovesOnlyThatRow) {
  for (auto room : {"lobby", "kitchen"}) {
    for (auto id : {"c1", "c2"}) ASSERT_TRUE(this->store().put_member(this->member(room, id)));
  }
  ASSERT_TRUE(this->store().delete_member(this->key("lobby"), this->key("c1")));
  EXPECT_EQ(connection_ids(this->store().members(this->key("lobby")).value()),
            std::vector{this->key("c2")});
  EXPECT_EQ(rooms_of(this->store().memberships(this->key("c1")).value()),
            std::vector{this->key("kitchen")});
  EXPECT_EQ(this->store().members(this->key("kitchen")).value().size(), 2u);
}

TYPED_TEST_P(StoreContract, DeleteOfMissingMemberSucceeds) {
  EXPECT_TRUE(this->store().delete_member(this->key("lobby"), this->key("nobody")));
  ASSERT_TRUE(this->store().put_member(this->member("lobby", "c1")));
  EXPECT_TRUE(this->store().delete_member(this->key("kitchen"), this->key("c1")));
  EXPECT_EQ(this->store().members(this->key("lobby")).value().size(), 1u);
}

// room_members is members as one shared list (any order), with ids[i] naming members[i].
TYPED_TEST_P(StoreContract, RoomMembersListsTheRowsOfMembers) {
  for (auto id : {"c", "a", "b"}) ASSERT_TRUE(this->store().put_member(this->member("lobby", id)));
  ASSERT_TRUE(this->store().put_member(this->member("kitchen", "d")));
  ASSERT_TRUE(this->store().delete_member(this->key("lobby"), this->key("b")));
  auto got = this->store().room_members(this->key("lobby"));
  ASSERT_TRUE(got) << got.error();
  auto ids = connection_ids((*got)->members);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector{this->key("a"), this->key("c")}));
  EXPECT_EQ((*got)->ids, connection_ids((*got)->members));
  ASSERT_NE((*got)->find(this->key("c")), nullptr);
  EXPECT_EQ((*got)->find(this->key("c"))->name, "name of c");
  EXPECT_EQ((*got)->find(this->key("b")), nullptr);
  EXPECT_TRUE(this->store().room_members(this->key("empty")).value()->members.empty());
}

TYPED_TEST_P(StoreContract, NameTakenComparesWithoutCaseAndLeavesOutTheAsker) {
  auto ann = this->member("lobby", "c1");
  ann.name = "Ann";
  ASSERT_TRUE(this->store().put_member(ann));
  auto& s = this->store();
  EXPECT_TRUE(s.name_taken(ann.room, "ann", this->key("c2")).value());
  EXPECT_TRUE(s.name_taken(ann.room, "ANN", "").value());
  EXPECT_FALSE(s.name_taken(ann.room, "ann", ann.connection_id).value());  // her own name
  EXPECT_FALSE(s.name_taken(ann.room, "anne", this->key("c2")).value());
  EXPECT_FALSE(s.name_taken(this->key("kitchen"), "ann", this->key("c2")).value());
  ann.name = "Annie";  // renamed: the old name is free again
  ASSERT_TRUE(s.put_member(ann));
  EXPECT_FALSE(s.name_taken(ann.room, "ann", this->key("c2")).value());
  EXPECT_TRUE(s.name_taken(ann.room, "annie", this->key("c2")).value());
  ASSERT_TRUE(s.delete_member(ann.room, ann.connection_id));
  EXPECT_FALSE(s.name_taken(ann.room, "annie", this->key("c2")).value());
}

TYPED_TEST_P(StoreContract, EmptyKeysAreInvalidArgument) {
  auto& s = this->store();
  using core::errc;
  auto no_id = this->connection("x", "lobby");
  no_id.connection_id.clear();
  EXPECT_TRUE(failed_with(s.put_connection(no_id), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.get_connection(""), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.delete_connection(""), errc::invalid_argument));
  auto no_room = this->member("lobby", "x");
  no_room.room.clear();
  auto no_member = this->member("lobby", "x");
  no_member.connection_id.clear();
  EXPECT_TRUE(failed_with(s.put_member(no_room), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.put_member(no_member), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.delete_member("", this->key("x")), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.delete_member(this->key("lobby"), ""), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.members(""), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.memberships(""), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.append_message(store::Message{}), errc::invalid_argument));
  auto keyed_no_room = this->keyed_message("lobby", "k1");
  keyed_no_room.room.clear();
  EXPECT_TRUE(failed_with(s.append_message(keyed_no_room), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.messages_before("", 0, 10), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.messages_after("", 0, 10), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.last_seq(""), errc::invalid_argument));
  // Nothing of the above was stored.
  EXPECT_TRUE(s.members(this->key("lobby")).value().empty());
  EXPECT_TRUE(s.memberships(this->key("x")).value().empty());
}

}  // namespace store_contract
