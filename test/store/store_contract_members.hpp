#pragma once
// The contract of the Memberships port: member rows, the room and connection reads, and the
// writes that change a connection row with member rows. Include store_contract.hpp, not this:
// the suites are only complete (registered) there.
#include <algorithm>

#include "store_contract_fixture.hpp"

namespace store_contract {

TYPED_TEST_P(MembershipsContract, PutConnectionAndMemberStoresBothRows) {
  auto c = this->connection("c1", "lobby");
  auto m = this->member("lobby", "c1");
  ASSERT_TRUE(this->store().members.put_connection_and_member(c, m));
  auto got = this->store().connections.get_connection(c.connection_id);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->name, c.name);
  EXPECT_EQ(got->home_room, c.home_room);
  EXPECT_EQ(got->user_id, c.user_id);
  auto members = this->store().members.members(m.room);
  ASSERT_TRUE(members) << members.error();
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ((*members)[0].connection_id, c.connection_id);
  EXPECT_EQ((*members)[0].name, m.name);
  EXPECT_EQ((*members)[0].joined_at, m.joined_at);
  EXPECT_EQ(rooms_of(this->store().members.memberships(c.connection_id).value()), std::vector{m.room});
  // A reconnect with the same id replaces both rows.
  c.name = "again";
  m.name = "again";
  ASSERT_TRUE(this->store().members.put_connection_and_member(c, m));
  EXPECT_EQ(this->store().connections.get_connection(c.connection_id).value().name, "again");
  EXPECT_EQ(this->store().members.members(m.room).value().at(0).name, "again");
  EXPECT_EQ(this->store().members.members(m.room).value().size(), 1u);
}

TYPED_TEST_P(MembershipsContract, RenameWritesTheConnectionAndEveryMemberRowGiven) {
  auto c = this->connection("c1", "lobby");
  auto lobby = this->member("lobby", "c1");
  auto dev = this->member("dev", "c1");
  ASSERT_TRUE(this->store().members.put_connection_and_member(c, lobby));
  ASSERT_TRUE(this->store().members.put_member(dev));
  store::Rename r;
  r.connection = c;
  r.connection.name = "ann";
  r.old_name = c.name;
  r.members = {lobby, dev};
  r.members[0].name = "ann";
  r.members[1].name = "ann-c1";
  r.old_names = {lobby.name, dev.name};
  ASSERT_TRUE(this->store().members.rename(r));
  auto got = this->store().connections.get_connection(c.connection_id);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->name, "ann");
  EXPECT_EQ(got->home_room, c.home_room);
  EXPECT_EQ(this->store().members.members(lobby.room).value().at(0).name, "ann");
  EXPECT_EQ(this->store().members.members(dev.room).value().at(0).name, "ann-c1");
  EXPECT_EQ(this->store().members.members(dev.room).value().at(0).joined_at, dev.joined_at);
}

TYPED_TEST_P(MembershipsContract, PutMemberThenMembersRoundTripsEveryField) {
  auto m = this->member("lobby", "c1");
  ASSERT_TRUE(this->store().members.put_member(m));
  for (auto list : {this->store().members.members(m.room), this->store().members.memberships(m.connection_id)}) {
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

TYPED_TEST_P(MembershipsContract, MembersListsExactlyThatRoomOrderedByConnectionId) {
  for (auto id : {"c", "a", "b"}) ASSERT_TRUE(this->store().members.put_member(this->member("lobby", id)));
  ASSERT_TRUE(this->store().members.put_member(this->member("kitchen", "d")));
  auto got = this->store().members.members(this->key("lobby"));
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(connection_ids(*got), (std::vector{this->key("a"), this->key("b"), this->key("c")}));
  EXPECT_TRUE(this->store().members.members(this->key("empty")).value().empty());
}

TYPED_TEST_P(MembershipsContract, MembershipsListsAConnectionsRoomsOrderedByRoom) {
  for (auto room : {"lobby", "dm:ann:bob", "kitchen"}) {
    ASSERT_TRUE(this->store().members.put_member(this->member(room, "c1")));
  }
  ASSERT_TRUE(this->store().members.put_member(this->member("attic", "c2")));
  auto got = this->store().members.memberships(this->key("c1"));
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(rooms_of(*got),
            (std::vector{this->key("dm:ann:bob"), this->key("kitchen"), this->key("lobby")}));
  EXPECT_TRUE(this->store().members.memberships(this->key("nobody")).value().empty());
}

TYPED_TEST_P(MembershipsContract, PutMemberReplacesTheRow) {
  auto m = this->member("lobby", "c1");
  ASSERT_TRUE(this->store().members.put_member(m));
  m.name = "renamed";
  m.joined_at += 1000;
  ASSERT_TRUE(this->store().members.put_member(m));
  auto got = this->store().members.members(m.room).value();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].name, "renamed");
  EXPECT_EQ(got[0].joined_at, m.joined_at);
  auto rooms = this->store().members.memberships(m.connection_id).value();
  ASSERT_EQ(rooms.size(), 1u);
  EXPECT_EQ(rooms[0].name, "renamed");  // the connection index sees the new name too
}

TYPED_TEST_P(MembershipsContract, DeleteMemberRemovesOnlyThatRow) {
  for (auto room : {"lobby", "kitchen"}) {
    for (auto id : {"c1", "c2"}) ASSERT_TRUE(this->store().members.put_member(this->member(room, id)));
  }
  ASSERT_TRUE(this->store().members.delete_member(this->key("lobby"), this->key("c1")));
  EXPECT_EQ(connection_ids(this->store().members.members(this->key("lobby")).value()),
            std::vector{this->key("c2")});
  EXPECT_EQ(rooms_of(this->store().members.memberships(this->key("c1")).value()),
            std::vector{this->key("kitchen")});
  EXPECT_EQ(this->store().members.members(this->key("kitchen")).value().size(), 2u);
}

TYPED_TEST_P(MembershipsContract, DeleteOfMissingMemberSucceeds) {
  EXPECT_TRUE(this->store().members.delete_member(this->key("lobby"), this->key("nobody")));
  ASSERT_TRUE(this->store().members.put_member(this->member("lobby", "c1")));
  EXPECT_TRUE(this->store().members.delete_member(this->key("kitchen"), this->key("c1")));
  EXPECT_EQ(this->store().members.members(this->key("lobby")).value().size(), 1u);
}

// room_members is members as one shared list (any order), with ids[i] naming members[i].
TYPED_TEST_P(MembershipsContract, RoomMembersListsTheRowsOfMembers) {
  for (auto id : {"c", "a", "b"}) ASSERT_TRUE(this->store().members.put_member(this->member("lobby", id)));
  ASSERT_TRUE(this->store().members.put_member(this->member("kitchen", "d")));
  ASSERT_TRUE(this->store().members.delete_member(this->key("lobby"), this->key("b")));
  auto got = this->store().members.room_members(this->key("lobby"));
  ASSERT_TRUE(got) << got.error();
  auto ids = connection_ids((*got)->members);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector{this->key("a"), this->key("c")}));
  EXPECT_EQ((*got)->ids, connection_ids((*got)->members));
  ASSERT_NE((*got)->find(this->key("c")), nullptr);
  EXPECT_EQ((*got)->find(this->key("c"))->name, "name of c");
  EXPECT_EQ((*got)->find(this->key("b")), nullptr);
  EXPECT_TRUE(this->store().members.room_members(this->key("empty")).value()->members.empty());
}

TYPED_TEST_P(MembershipsContract, NameTakenComparesWithoutCaseAndLeavesOutTheAsker) {
  auto ann = this->member("lobby", "c1");
  ann.name = "Ann";
  ASSERT_TRUE(this->store().members.put_member(ann));
  auto& s = this->store();
  EXPECT_TRUE(s.members.name_taken(ann.room, "ann", this->key("c2")).value());
  EXPECT_TRUE(s.members.name_taken(ann.room, "ANN", "").value());
  EXPECT_FALSE(s.members.name_taken(ann.room, "ann", ann.connection_id).value());  // her own name
  EXPECT_FALSE(s.members.name_taken(ann.room, "anne", this->key("c2")).value());
  EXPECT_FALSE(s.members.name_taken(this->key("kitchen"), "ann", this->key("c2")).value());
  ann.name = "Annie";  // renamed: the old name is free again
  ASSERT_TRUE(s.members.put_member(ann));
  EXPECT_FALSE(s.members.name_taken(ann.room, "ann", this->key("c2")).value());
  EXPECT_TRUE(s.members.name_taken(ann.room, "annie", this->key("c2")).value());
  ASSERT_TRUE(s.members.delete_member(ann.room, ann.connection_id));
  EXPECT_FALSE(s.members.name_taken(ann.room, "annie", this->key("c2")).value());
}

TYPED_TEST_P(MembershipsContract, FindMemberReadsOneRowOnItsKey) {
  auto& s = this->store();
  auto ann = this->member("lobby", "c1");
  ASSERT_TRUE(s.members.put_member(ann));
  ASSERT_TRUE(s.members.put_member(this->member("lobby", "c2")));
  ASSERT_TRUE(s.members.put_member(this->member("attic", "c1")));
  auto found = s.members.find_member(ann.room, ann.connection_id);
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->room, ann.room);
  EXPECT_EQ((*found)->connection_id, ann.connection_id);
  EXPECT_EQ((*found)->name, ann.name);
  EXPECT_EQ((*found)->user_id, ann.user_id);
  EXPECT_FALSE(s.members.find_member(this->key("hall"), ann.connection_id).value().has_value());
  ASSERT_TRUE(s.members.delete_member(ann.room, ann.connection_id));
  EXPECT_FALSE(s.members.find_member(ann.room, ann.connection_id).value().has_value());
}

TYPED_TEST_P(MembershipsContract, EmptyMemberKeysAreInvalidArgument) {
  auto& s = this->store();
  using core::errc;
  auto no_room = this->member("lobby", "x");
  no_room.room.clear();
  auto no_member = this->member("lobby", "x");
  no_member.connection_id.clear();
  EXPECT_TRUE(failed_with(s.members.put_member(no_room), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.members.put_member(no_member), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.members.delete_member("", this->key("x")), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.members.delete_member(this->key("lobby"), ""), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.members.members(""), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.members.memberships(""), errc::invalid_argument));
  // Nothing of the above was stored.
  EXPECT_TRUE(s.members.members(this->key("lobby")).value().empty());
  EXPECT_TRUE(s.members.memberships(this->key("x")).value().empty());
}

}  // namespace store_contract
