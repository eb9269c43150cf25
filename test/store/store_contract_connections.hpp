#pragma once
// The contract of the ConnectionTable port. Include store_contract.hpp, not this: the suites are
// only complete (registered) there.
#include "store_contract_fixture.hpp"

namespace store_contract {

TYPED_TEST_P(ConnectionTableContract, PutThenGetRoundTripsEveryField) {
  auto c = this->connection("c1", "lobby");
  ASSERT_TRUE(this->store().connections.put_connection(c));
  auto got = this->store().connections.get_connection(c.connection_id);
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
TYPED_TEST_P(ConnectionTableContract, ConnectionWithOnlyAnIdKeepsTheDefaults) {
  store::Connection c;
  c.connection_id = this->key("bare");
  ASSERT_TRUE(this->store().connections.put_connection(c));
  auto got = this->store().connections.get_connection(c.connection_id);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->home_room, "");
  EXPECT_EQ(got->since, -1);
  EXPECT_EQ(got->name, "");
  EXPECT_EQ(got->ttl, 0);
  EXPECT_EQ(got->user_id, "");
}

TYPED_TEST_P(ConnectionTableContract, GetOfMissingConnectionIsNotFound) {
  EXPECT_TRUE(failed_with(this->store().connections.get_connection(this->key("nobody")), core::errc::not_found));
}

TYPED_TEST_P(ConnectionTableContract, PutReplacesTheWholeRow) {
  auto c = this->connection("c1", "lobby");
  ASSERT_TRUE(this->store().connections.put_connection(c));
  c.home_room = this->key("kitchen");
  c.name = "renamed";
  c.gateway = "";
  c.since = -1;
  ASSERT_TRUE(this->store().connections.put_connection(c));
  auto got = this->store().connections.get_connection(c.connection_id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->home_room, c.home_room);
  EXPECT_EQ(got->name, "renamed");
  EXPECT_EQ(got->gateway, "");
  EXPECT_EQ(got->since, -1);
}

TYPED_TEST_P(ConnectionTableContract, DeleteRemovesTheRow) {
  auto c = this->connection("c1", "lobby");
  ASSERT_TRUE(this->store().connections.put_connection(c));
  ASSERT_TRUE(this->store().connections.delete_connection(c.connection_id));
  EXPECT_TRUE(failed_with(this->store().connections.get_connection(c.connection_id), core::errc::not_found));
}

TYPED_TEST_P(ConnectionTableContract, DeleteOfMissingConnectionSucceeds) {
  EXPECT_TRUE(this->store().connections.delete_connection(this->key("nobody")));
}

// $disconnect reads memberships() to announce the leave, so deleting the connection first must
// not take the member rows with it; the caller deletes them one by one.
TYPED_TEST_P(ConnectionTableContract, DeleteConnectionKeepsItsMemberRows) {
  auto c = this->connection("c1", "lobby");
  ASSERT_TRUE(this->store().connections.put_connection(c));
  ASSERT_TRUE(this->store().members.put_member(this->member("lobby", "c1")));
  ASSERT_TRUE(this->store().connections.delete_connection(c.connection_id));
  EXPECT_EQ(rooms_of(this->store().members.memberships(c.connection_id).value()),
            std::vector{this->key("lobby")});
  EXPECT_EQ(connection_ids(this->store().members.members(this->key("lobby")).value()),
            std::vector{c.connection_id});
}

TYPED_TEST_P(ConnectionTableContract, EmptyConnectionIdIsInvalidArgument) {
  auto& s = this->store();
  using core::errc;
  auto no_id = this->connection("x", "lobby");
  no_id.connection_id.clear();
  EXPECT_TRUE(failed_with(s.connections.put_connection(no_id), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.connections.get_connection(""), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.connections.delete_connection(""), errc::invalid_argument));
}

}  // namespace store_contract
