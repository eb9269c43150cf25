#include "handlers/membership.hpp"

#include <gtest/gtest.h>

#include "chat_fixture.hpp"
#include "core/clock.hpp"

namespace {

using fakes::num;
using fakes::range;
using fakes::seqs_of;
using fakes::str;
using Op = fakes::FakeStore::Op;
namespace json = boost::json;

class Membership : public fakes::ChatTest {
 protected:
  store::Connection conn(const std::string& id, const std::string& name) {
    store::Connection c;
    c.connection_id = id;
    c.name = name;
    c.home_room = "attic";
    c.user_id = user_of(id);
    return c;
  }
  std::vector<json::object> histories_to(const std::string& id) {
    std::vector<json::object> out;
    for (auto& e : events_to(id)) {
      EXPECT_EQ(e.at("type"), "history");
      out.push_back(std::move(e));
    }
    return out;
  }
};

// ---- enter_room ----

TEST_F(Membership, EnterRoomPutsTheRowAndAnnouncesItToTheOthers) {
  const auto before = core::now_ms();
  const auto m = handlers::enter_room(ports_, conn(D, "dave"), "lobby");
  const auto after = core::now_ms();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->room, "lobby");
  EXPECT_EQ(m->connection_id, D);
  EXPECT_EQ(m->name, "dave");
  EXPECT_GE(m->joined_at, before);
  EXPECT_LE(m->joined_at, after);
  EXPECT_GT(m->ttl, m->joined_at / 1000 + 2 * 3600);
  const auto row = store_.member("lobby", D);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->name, "dave");
  EXPECT_EQ(row->joined_at, m->joined_at);
  EXPECT_EQ(row->ttl, m->ttl);
  EXPECT_EQ(row->user_id, user_of(D));  // the connection's identity, copied to the member row
  for (const char* other : {A, B}) {
    EXPECT_EQ(only_event_to(other), (json::object{{"type", "presence"},
                                                  {"room", "lobby"},
                                                  {"event", "join"},
                                                  {"name", "dave"},
                                                  {"connectionId", D},
                                                  {"userId", user_of(D)}}));
  }
  EXPECT_TRUE(connections_.attempts_to(D).empty());
}

TEST_F(Membership, EnterRoomMakesTheNameUniqueInThatRoom) {
  EXPECT_EQ(handlers::enter_room(ports_, conn(D, "BOB"), "lobby")->name, "BOB-DDDD");
  EXPECT_EQ(handlers::enter_room(ports_, conn(D, "BOB"), "kitchen")->name, "BOB");
}

TEST_F(Membership, EnterRoomAgainDoesNotCompeteWithItself) {
  EXPECT_EQ(handlers::enter_room(ports_, conn(A, "alice"), "lobby")->name, "alice");
}

TEST_F(Membership, EnterRoomFailuresPutNothingAndAnnounceNothing) {
  for (auto op : {Op::members, Op::put_member}) {
    store_.fail(op);
    EXPECT_FALSE(handlers::enter_room(ports_, conn(D, "dave"), "lobby"));
    store_.fail(op, false);
    EXPECT_FALSE(store_.member("lobby", D));
  }
  EXPECT_TRUE(connections_.attempts().empty());
}

// ---- exit_room ----

TEST_F(Membership, ExitRoomDeletesTheRowAndAnnouncesItToTheRest) {
  const auto me = *store_.member("lobby", A);
  EXPECT_TRUE(handlers::exit_room(ports_, me));
  EXPECT_FALSE(store_.member("lobby", A));
  EXPECT_TRUE(store_.connection(A));  // leaving a room is not disconnecting
  EXPECT_EQ(only_event_to(B), (json::object{{"type", "presence"},
                                            {"room", "lobby"},
                                            {"event", "leave"},
                                            {"name", "alice"},
                                            {"connectionId", A},
                                            {"userId", user_of(A)}}));
  EXPECT_TRUE(connections_.attempts_to(A).empty());
}

TEST_F(Membership, ExitRoomFailuresLeaveTheRowAndAnnounceNothing) {
  const auto me = *store_.member("lobby", A);
  store_.fail(Op::delete_member);
  EXPECT_FALSE(handlers::exit_room(ports_, me));
  EXPECT_TRUE(store_.member("lobby", A));
  EXPECT_TRUE(connections_.attempts().empty());
}

// The row is gone, so the leave happened: a room that cannot be read for the announcement
// only loses the announcement.
TEST_F(Membership, ExitRoomWhoseMembersCannotBeReadStillLeaves) {
  const auto me = *store_.member("lobby", A);
  store_.fail(Op::members);
  EXPECT_TRUE(handlers::exit_room(ports_, me));
  EXPECT_FALSE(store_.member("lobby", A));
  EXPECT_TRUE(connections_.attempts().empty());
}

// ---- large rooms ----

// Past presence_room_limit members, arrivals and departures are not announced (N arrivals would
// cost N^2/2 frames); up to it they are.
TEST_F(Membership, ARoomPastThePresenceLimitAnnouncesNoJoinOrLeave) {
  for (std::size_t i = 2; i + 1 < handlers::presence_room_limit; ++i)
    add_member("m" + std::to_string(i), "lobby", "m" + std::to_string(i));
  // lobby has alice, bob and limit - 3 others: dave makes it exactly the limit.
  ASSERT_TRUE(handlers::enter_room(ports_, conn(D, "dave"), "lobby"));
  EXPECT_EQ(connections_.posts_to(A).size(), 1u);
  connections_.clear();
  ASSERT_TRUE(handlers::enter_room(ports_, conn("EEEEeeeeEEEEeee=", "erin"), "lobby"));
  EXPECT_TRUE(connections_.attempts().empty());
  ASSERT_TRUE(handlers::exit_room(ports_, *store_.member("lobby", D)));
  EXPECT_EQ(connections_.posts_to(A).size(), 1u);  // back at the limit: announced
}

// ---- find_membership ----

TEST_F(Membership, FindMembershipFindsTheRowOrNothing) {
  add_member(A, "kitchen", "alice-AAAA");
  auto m = handlers::find_membership(ports_, A, "kitchen");
  ASSERT_TRUE(m);
  ASSERT_TRUE(*m);
  EXPECT_EQ((*m)->name, "alice-AAAA");
  m = handlers::find_membership(ports_, A, "attic");
  ASSERT_TRUE(m);
  EXPECT_FALSE(*m);
  m = handlers::find_membership(ports_, D, "lobby");
  ASSERT_TRUE(m);
  EXPECT_FALSE(*m);
  store_.fail(Op::members);  // the room's rows by its key: consistent on DynamoDB
  EXPECT_FALSE(handlers::find_membership(ports_, A, "lobby"));
}

// ---- send_history ----

TEST_F(Membership, SendHistoryWithoutSinceSendsTheNewest) {
  fill("lobby", 60);
  ASSERT_TRUE(handlers::send_history(ports_, A, "lobby", -1));
  ASSERT_TRUE(handlers::send_history(ports_, A, "lobby", -1, 10));
  ASSERT_TRUE(handlers::send_history(ports_, A, "lobby", -1, 60));
  const auto hs = histories_to(A);
  ASSERT_EQ(hs.size(), 3u);
  EXPECT_EQ(seqs_of(hs[0]), range(11, 60));
  EXPECT_EQ(hs[0].at("hasMore"), true);
  EXPECT_EQ(seqs_of(hs[1]), range(51, 60));
  EXPECT_EQ(hs[1].at("hasMore"), true);
  EXPECT_EQ(seqs_of(hs[2]), range(1, 60));
  EXPECT_EQ(hs[2].at("hasMore"), false);
  for (const auto& h : hs) {
    EXPECT_EQ(h.at("room"), "lobby");
    EXPECT_EQ(num(h.at("lastSeq")), 60);
  }
  EXPECT_TRUE(connections_.attempts_to(B).empty());
}

TEST_F(Membership, SendHistoryOfAnEmptyRoomIsOneEmptyPage) {
  for (std::int64_t since : {-1, 0, 5}) {
    connections_.clear();
    ASSERT_TRUE(handlers::send_history(ports_, A, "attic", since));
    const auto h = only_event_to(A);
    EXPECT_TRUE(h.at("messages").as_array().empty()) << since;
    EXPECT_EQ(h.at("hasMore"), false);
    EXPECT_EQ(num(h.at("lastSeq")), 0);
  }
}

TEST_F(Membership, SendHistoryAfterSinceSendsEverythingAfterItInPagesOf200) {
  fill("lobby", 601);
  ASSERT_TRUE(handlers::send_history(ports_, A, "lobby", 0));
  const auto hs = histories_to(A);
  ASSERT_EQ(hs.size(), 4u);
  EXPECT_EQ(seqs_of(hs[0]), range(1, 200));
  EXPECT_EQ(seqs_of(hs[1]), range(201, 400));
  EXPECT_EQ(seqs_of(hs[2]), range(401, 600));
  EXPECT_EQ(seqs_of(hs[3]), range(601, 601));
  EXPECT_EQ(hs[0].at("hasMore"), true);
  EXPECT_EQ(hs[1].at("hasMore"), true);
  EXPECT_EQ(hs[2].at("hasMore"), true);
  EXPECT_EQ(hs[3].at("hasMore"), false);
}

TEST_F(Membership, SendHistoryAfterSincePastTheEndIsOneEmptyPage) {
  fill("lobby", 3);
  ASSERT_TRUE(handlers::send_history(ports_, A, "lobby", 99));
  const auto h = only_event_to(A);
  EXPECT_TRUE(seqs_of(h).empty());
  EXPECT_EQ(h.at("hasMore"), false);
  EXPECT_EQ(num(h.at("lastSeq")), 3);
}

TEST_F(Membership, SendHistoryFailuresAreReturned) {
  fill("lobby", 300);
  for (auto [op, since] : std::vector<std::pair<Op, std::int64_t>>{
           {Op::last_seq, -1}, {Op::messages_before, -1}, {Op::messages_after, 0}}) {
    SCOPED_TRACE(static_cast<int>(op));
    connections_.clear();
    store_.fail(op);
    EXPECT_FALSE(handlers::send_history(ports_, A, "lobby", since));
    store_.fail(op, false);
    EXPECT_TRUE(connections_.attempts().empty());
  }
  // A failure on a later page: the pages before it were sent.
  connections_.clear();
  store_.fail_from(Op::messages_after, 2);
  EXPECT_FALSE(handlers::send_history(ports_, A, "lobby", 0));
  EXPECT_EQ(histories_to(A).size(), 1u);
}

TEST_F(Membership, SendHistoryToAGoneConnectionIsQuiet) {
  fill("lobby", 3);
  connections_.mark_gone(A);
  EXPECT_TRUE(handlers::send_history(ports_, A, "lobby", -1));
  EXPECT_TRUE(store_.connection(A));  // posting to the asker never forgets it
}

}  // namespace
