#include "handlers/fanout.hpp"

#include <gtest/gtest.h>

#include "chat_fixture.hpp"
#include "core/clock.hpp"

namespace {

using Op = fakes::FakeStore::Op;
constexpr const char* E = "EEEEeeeeEEEEeee=";

class Fanout : public fakes::ChatTest {
 protected:
  std::vector<store::Member> lobby() { return store_.members("lobby").value(); }
  void broadcast(const std::vector<store::Member>& to, std::string_view except = {},
                 std::uint64_t version = 0, apigw::PostOptions options = {}) {
    store::RoomMembers room;
    room.members = to;
    for (const auto& m : to) room.ids.push_back(m.connection_id);
    room.version = version;
    handlers::broadcast(ports_, room, frame_, except, options);
  }
  apigw::SharedFrame frame_ = apigw::make_frame(R"({"type":"pong"})");
};

TEST_F(Fanout, PostsTheOneFrameToEveryMember) {
  add_member(D, "lobby", "dave");
  broadcast(lobby());
  const auto posts = connections_.posts();
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(posts[0].connection_id, A);
  EXPECT_EQ(posts[1].connection_id, B);
  EXPECT_EQ(posts[2].connection_id, D);
  for (const auto& p : posts) EXPECT_EQ(p.frame.get(), frame_.get());
}

TEST_F(Fanout, SkipsTheExceptedConnection) {
  broadcast(lobby(), A);
  const auto posts = connections_.attempts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].connection_id, B);
}

// The room's own list goes to the adapter as that room's list at its version (the gateway may
// remember what it resolved it to); a list without somebody is made for this post only.
TEST_F(Fanout, TheWholeRoomIsPostedAsTheRoomsListAtItsVersion) {
  broadcast(lobby(), {}, 42);
  for (const auto& p : connections_.attempts()) {
    EXPECT_EQ(p.list, "lobby");
    EXPECT_EQ(p.version, 42u);
  }
  connections_.clear();
  broadcast(lobby(), A, 42);
  ASSERT_EQ(connections_.attempts().size(), 1u);
  EXPECT_EQ(connections_.attempts()[0].version, 0u);
}

TEST_F(Fanout, MembersWhoseRowsNameTheirNodeArePostedWithIt) {
  auto to = lobby();
  to[1].gateway = "http://node-2/dev";  // B's socket is on another node
  broadcast(to, {}, 42);
  const auto posts = connections_.attempts();
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].gateway, "");
  EXPECT_EQ(posts[1].connection_id, B);
  EXPECT_EQ(posts[1].gateway, "http://node-2/dev");
}

TEST_F(Fanout, TheOptionsGoWithThePost) {
  broadcast(lobby(), {}, 0, {.linger = true});
  ASSERT_EQ(connections_.attempts().size(), 2u);
  for (const auto& p : connections_.attempts()) EXPECT_TRUE(p.options.linger);
}

TEST_F(Fanout, NoMembersNoPosts) {
  broadcast({});
  broadcast(store_.members("kitchen").value(), C);
  EXPECT_TRUE(connections_.attempts().empty());
}

TEST_F(Fanout, AGoneMemberOlderThan30sIsForgottenEverywhere) {
  add_member(B, "kitchen", "bob");
  add_member(B, "attic", "bob", core::now_ms() - 31000);
  connections_.mark_gone(B);
  broadcast(lobby());
  EXPECT_FALSE(store_.connection(B));
  EXPECT_TRUE(store_.rooms_of(B).empty());
  EXPECT_TRUE(store_.connection(A));
  EXPECT_EQ(store_.rooms_of(A), std::vector<std::string>{"lobby"});
  EXPECT_EQ(store_.member_ids("kitchen"), std::vector<std::string>{C});
  EXPECT_EQ(connections_.posts_to(A).size(), 1u);
}

TEST_F(Fanout, TheGraceIsJudgedOnTheMemberRowThePostWentTo) {
  const auto now = core::now_ms();
  add_member(D, "lobby", "dave", now - 31000);
  add_member(E, "lobby", "eve", now - 29000);
  connections_.mark_gone(D);
  connections_.mark_gone(E);
  broadcast(lobby());
  EXPECT_TRUE(store_.rooms_of(D).empty());
  EXPECT_EQ(store_.rooms_of(E), std::vector<std::string>{"lobby"});
}

TEST_F(Fanout, AGoneMemberThatJustJoinedIsKept) {
  store::Connection d;
  d.connection_id = D;
  d.home_room = "lobby";
  ASSERT_TRUE(store_.put_connection(d));
  add_member(D, "lobby", "dave", core::now_ms());
  connections_.mark_gone(D);
  broadcast(lobby());
  EXPECT_TRUE(store_.connection(D));
  EXPECT_TRUE(store_.member("lobby", D));
}

TEST_F(Fanout, OtherPostErrorsKeepTheMember) {
  connections_.fail_with(A, core::errc::limit_exceeded);
  connections_.fail_with(B, core::errc::payload_too_large);
  broadcast(lobby());
  EXPECT_EQ(store_.member_ids("lobby"), (std::vector<std::string>{A, B}));
  EXPECT_TRUE(store_.connection(A));
  EXPECT_TRUE(store_.connection(B));
}

TEST_F(Fanout, AGoneButExceptedMemberIsNotTouched) {
  connections_.mark_gone(A);
  broadcast(lobby(), A);
  EXPECT_TRUE(store_.connection(A));
  EXPECT_TRUE(connections_.attempts_to(A).empty());
}

TEST_F(Fanout, ForgettingFailuresAreQuiet) {
  connections_.mark_gone(B);
  const auto members = lobby();
  store_.fail_all();
  EXPECT_NO_THROW(broadcast(members));
  store_.fail_all(false);
  EXPECT_TRUE(store_.connection(B));
}

TEST_F(Fanout, ForgetConnectionDeletesTheMemberRowsAndTheConnectionRow) {
  add_member(A, "kitchen", "alice");
  handlers::forget_connection(ports_, A);
  EXPECT_FALSE(store_.connection(A));
  EXPECT_TRUE(store_.rooms_of(A).empty());
  EXPECT_EQ(store_.member_ids("lobby"), std::vector<std::string>{B});
  EXPECT_TRUE(connections_.attempts().empty());  // quietly: no presence
}

TEST_F(Fanout, ForgetConnectionOfAnUnknownIdIsFine) {
  EXPECT_NO_THROW(handlers::forget_connection(ports_, D));
  EXPECT_EQ(store_.connection_count(), 3u);
}

TEST_F(Fanout, ForgetConnectionStillDeletesTheRowWhenTheRoomsCannotBeRead) {
  store_.fail(Op::memberships);
  handlers::forget_connection(ports_, A);
  EXPECT_FALSE(store_.connection(A));
}

}  // namespace
