#pragma once
// The contract of the ConnectionViews port (what `hello` reads). Include store_contract.hpp,
// not this: the suites are only complete (registered) there.
#include "store_contract_fixture.hpp"

namespace store_contract {

TYPED_TEST_P(ConnectionViewsContract, ConnectionViewReadsTheRowRoomsLastSeqsAndNewestWhereAsked) {
  auto c = this->connection("c1", "lobby");
  ASSERT_TRUE(this->store().connections.put_connection(c));
  for (auto room : {"lobby", "kitchen", "attic"})
    ASSERT_TRUE(this->store().members.put_member(this->member(room, "c1")));
  ASSERT_TRUE(this->store().members.put_member(this->member("cellar", "c2")));
  this->append_n("lobby", 3);
  this->append_n("kitchen", 2);
  std::vector<std::string> asked;
  auto view = this->store().views.connection_view(
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

  EXPECT_TRUE(failed_with(this->store().views.connection_view(this->key("nobody"), 2, nullptr),
                          core::errc::not_found));
}

// setname and a re-join put the row again: one row, with the new name.

}  // namespace store_contract
