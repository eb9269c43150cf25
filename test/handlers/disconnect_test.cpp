#include "handlers/disconnect.hpp"

#include <gtest/gtest.h>

#include "chat_fixture.hpp"

namespace {

using fakes::disconnect_event;
using Op = fakes::FakeStore::Op;

class Disconnect : public fakes::ChatTest {
 protected:
  void SetUp() override {
    ChatTest::SetUp();
    // alice is also in kitchen (as "alice") and in attic alone.
    add_member(A, "kitchen", "alice");
    add_member(A, "attic", "alice");
  }
  apigw::Response run(const std::string& id) { return handlers::disconnect(disconnect_event(id), ports_); }
};

TEST_F(Disconnect, LeavesEveryRoomAndDeletesTheRow) {
  const auto r = run(A);
  EXPECT_EQ(r.status_code, 200);
  EXPECT_FALSE(store_.connection(A));
  EXPECT_TRUE(store_.rooms_of(A).empty());
  EXPECT_TRUE(store_.connection(B));
  EXPECT_TRUE(store_.connection(C));
  EXPECT_EQ(store_.member_ids("lobby"), std::vector<std::string>{B});
  EXPECT_EQ(store_.member_ids("kitchen"), std::vector<std::string>{C});
  EXPECT_TRUE(store_.member_ids("attic").empty());
}

TEST_F(Disconnect, AnnouncesTheLeaveInEachRoomToTheOthers) {
  run(A);
  EXPECT_EQ(only_event_to(B), (boost::json::object{{"type", "presence"},
                                                   {"room", "lobby"},
                                                   {"event", "leave"},
                                                   {"name", "alice"},
                                                   {"connectionId", A},
                                                   {"userId", user_of(A)}}));
  EXPECT_EQ(only_event_to(C), (boost::json::object{{"type", "presence"},
                                                   {"room", "kitchen"},
                                                   {"event", "leave"},
                                                   {"name", "alice"},
                                                   {"connectionId", A},
                                                   {"userId", user_of(A)}}));
  EXPECT_TRUE(connections_.attempts_to(A).empty());  // the socket is closed
}

TEST_F(Disconnect, TheLeaveCarriesTheNameShownInThatRoom) {
  add_member(D, "lobby", "bob-DDDD");
  run(D);
  EXPECT_EQ(fakes::str(only_event_to(A).at("name")), "bob-DDDD");
}

TEST_F(Disconnect, UnknownConnectionIsFine) {
  EXPECT_EQ(run("ZZZZzzzzZZZZzzz=").status_code, 200);
  EXPECT_EQ(store_.connection_count(), 3u);
  EXPECT_EQ(store_.member_count(), 5u);
  EXPECT_TRUE(connections_.attempts().empty());
}

// A member who sees the leave may act on it at once (a dm to the id), in another process: by
// then the connection row must be gone.
TEST_F(Disconnect, TheRowIsGoneBeforeAnyLeaveIsAnnounced) {
  std::vector<bool> row_at_post;
  connections_.on_post([&](const auto&) { row_at_post.push_back(store_.connection(A).has_value()); });
  EXPECT_TRUE(run(A).ok());
  ASSERT_FALSE(row_at_post.empty());
  for (bool present : row_at_post) EXPECT_FALSE(present);
}

TEST_F(Disconnect, TwiceIsFine) {
  EXPECT_TRUE(run(A).ok());
  connections_.clear();
  EXPECT_TRUE(run(A).ok());
  EXPECT_EQ(store_.connection_count(), 2u);
  EXPECT_TRUE(connections_.attempts().empty());  // announced once
}

TEST_F(Disconnect, MemberRowsWithoutAConnectionRowAreRemovedToo) {
  ASSERT_TRUE(store_.delete_connection(A));
  EXPECT_TRUE(run(A).ok());
  EXPECT_TRUE(store_.rooms_of(A).empty());
}

TEST_F(Disconnect, AGoneMemberFoundWhileAnnouncingIsForgotten) {
  connections_.mark_gone(B);
  run(A);
  EXPECT_FALSE(store_.connection(B));
  EXPECT_TRUE(store_.rooms_of(B).empty());
  EXPECT_TRUE(store_.member_ids("lobby").empty());
}

TEST_F(Disconnect, StoreFailureIs500) {
  for (auto op : {Op::memberships, Op::delete_member, Op::delete_connection}) {
    SCOPED_TRACE(static_cast<int>(op));
    store_.fail(op);
    EXPECT_EQ(run(A).status_code, 500);
    store_.fail(op, false);
  }
}

// Best effort: a room that cannot be left does not keep the others or the row.
TEST_F(Disconnect, AFailedRoomDoesNotStopTheRest) {
  store_.fail_from(Op::delete_member, 2);  // the first delete (attic) succeeds, the rest fail
  EXPECT_EQ(run(A).status_code, 500);
  EXPECT_FALSE(store_.connection(A));
  EXPECT_EQ(store_.rooms_of(A), (std::vector<std::string>{"kitchen", "lobby"}));
  // The next try (AWS does not retry $disconnect, but a later fan-out forgets it) finishes it.
  store_.fail(Op::delete_member, false);
  EXPECT_TRUE(run(A).ok());
  EXPECT_TRUE(store_.rooms_of(A).empty());
}

TEST_F(Disconnect, StoreDownIs500AndChangesNothing) {
  store_.fail_all();
  EXPECT_EQ(run(A).status_code, 500);
  store_.fail_all(false);
  EXPECT_TRUE(store_.connection(A));
  EXPECT_EQ(store_.rooms_of(A).size(), 3u);
  EXPECT_TRUE(connections_.attempts().empty());
}

}  // namespace
