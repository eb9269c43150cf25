#include "handlers/rooms.hpp"

#include <gtest/gtest.h>

#include "chat_fixture.hpp"
#include "core/clock.hpp"

namespace {

using fakes::message_event;
using fakes::num;
using fakes::range;
using fakes::seqs_of;
using fakes::str;
using Op = fakes::FakeStore::Op;
namespace json = boost::json;

class Join : public fakes::ChatTest {
 protected:
  apigw::Response join(const std::string& from, std::optional<std::string> body) {
    return handlers::join(message_event(from, std::move(body), "join"), ports_);
  }
  apigw::Response join(const std::string& from, const json::object& body) {
    return join(from, fakes::body(body));
  }
};

TEST_F(Join, AnswersJoinedThenTheNewest50) {
  fill("kitchen", 60, C, "carol");
  const auto before = core::now_ms();
  EXPECT_EQ(join(A, R"({"action":"join","room":"kitchen"})").status_code, 200);
  const auto to_a = events_to(A);
  ASSERT_EQ(to_a.size(), 2u);
  EXPECT_EQ(to_a[0], (json::object{{"type", "joined"}, {"room", "kitchen"}, {"name", "alice"}, {"lastSeq", 60}}));
  EXPECT_EQ(str(to_a[1].at("type")), "history");
  EXPECT_EQ(to_a[1].at("room"), "kitchen");
  EXPECT_EQ(seqs_of(to_a[1]), range(11, 60));
  EXPECT_EQ(to_a[1].at("hasMore"), true);
  EXPECT_EQ(num(to_a[1].at("lastSeq")), 60);
  const auto m = store_.member("kitchen", A);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->name, "alice");
  EXPECT_GE(m->joined_at, before);
  EXPECT_EQ(store_.rooms_of(A), (std::vector<std::string>{"kitchen", "lobby"}));
}

// Issue 15, item 10: rooms per connection are capped; the join past the cap is refused,
// joins nothing and announces nothing; a room the connection is in answers as before.
TEST_F(Join, AJoinPastTheRoomCapIsTooManyRooms) {
  const handlers::Limits two{2};
  auto join_capped = [&](const std::string& room) {
    return handlers::join(
        message_event(A, fakes::body(json::object{{"action", "join"}, {"room", room}}), "join"),
        ports_, two);
  };
  join_capped("kitchen");  // alice: lobby and kitchen
  connections_.clear();
  join_capped("garden");
  expect_only_error_to(A, "too_many_rooms", "join");
  EXPECT_EQ(store_.rooms_of(A), (std::vector<std::string>{"kitchen", "lobby"}));
  EXPECT_TRUE(events_to(C).empty());
  connections_.clear();
  join_capped("kitchen");
  EXPECT_EQ(types_to(A), (std::vector<std::string>{"joined", "history"}));
  // With no cap (0) a connection joins any number of rooms.
  for (int i = 0; i < 5; ++i)
    handlers::join(message_event(A, fakes::body(json::object{{"action", "join"}, {"room", "r" + std::to_string(i)}}), "join"),
                   ports_, handlers::Limits{0});
  EXPECT_EQ(store_.rooms_of(A).size(), 7u);
}

TEST_F(Join, AnEmptyRoomIsCreatedByJoiningIt) {
  join(A, R"({"action":"join","room":"attic"})");
  const auto to_a = events_to(A);
  ASSERT_EQ(to_a.size(), 2u);
  EXPECT_EQ(num(to_a[0].at("lastSeq")), 0);
  EXPECT_TRUE(to_a[1].at("messages").as_array().empty());
  EXPECT_EQ(to_a[1].at("hasMore"), false);
  EXPECT_EQ(store_.member_ids("attic"), std::vector<std::string>{A});
}

TEST_F(Join, AnnouncesTheJoinToTheRoomsOtherMembersOnly) {
  join(A, R"({"action":"join","room":"kitchen"})");
  EXPECT_EQ(only_event_to(C), (json::object{{"type", "presence"},
                                            {"room", "kitchen"},
                                            {"event", "join"},
                                            {"name", "alice"},
                                            {"connectionId", A},
                                            {"userId", user_of(A)}}));
  EXPECT_TRUE(connections_.posts_to(B).empty());  // lobby
  EXPECT_EQ(types_to(A), (std::vector<std::string>{"joined", "history"}));
}

TEST_F(Join, ANameTakenInTheRoomIsMadeUniqueThere) {
  seed(D, "Carol", "attic");
  join(D, R"({"action":"join","room":"kitchen"})");
  EXPECT_EQ(str(events_to(D).at(0).at("name")), "Carol-DDDD");
  EXPECT_EQ(str(only_event_to(C).at("name")), "Carol-DDDD");
  EXPECT_EQ(store_.member("kitchen", D)->name, "Carol-DDDD");
  EXPECT_EQ(store_.member("attic", D)->name, "Carol");
  EXPECT_EQ(store_.connection(D)->name, "Carol");
}

TEST_F(Join, JoiningARoomYouAreInAnswersJoinedAndHistoryAgainAndAnnouncesNothing) {
  fill("lobby", 3);
  ASSERT_TRUE(store_.put_member(store::Member{"lobby", A, "alice-AAAA", 1234, 0}));
  join(A, R"({"action":"join","room":"lobby"})");
  const auto to_a = events_to(A);
  ASSERT_EQ(to_a.size(), 2u);
  EXPECT_EQ(to_a[0], (json::object{{"type", "joined"}, {"room", "lobby"}, {"name", "alice-AAAA"}, {"lastSeq", 3}}));
  EXPECT_EQ(seqs_of(to_a[1]), range(1, 3));
  EXPECT_TRUE(connections_.attempts_to(B).empty());
  EXPECT_EQ(store_.member("lobby", A)->joined_at, 1234);  // the row is untouched
  EXPECT_EQ(store_.calls(Op::put_member), 4);             // the fixture's three and the one above
}

TEST_F(Join, SinceBringsExactlyTheMessagesAfterIt) {
  fill("kitchen", 60, C, "carol");
  join(A, R"({"action":"join","room":"kitchen","since":57})");
  const auto h = events_to(A).at(1);
  EXPECT_EQ(seqs_of(h), range(58, 60));
  EXPECT_EQ(h.at("hasMore"), false);
}

TEST_F(Join, SinceZeroBringsEverythingEvenPast50) {
  fill("kitchen", 120, C, "carol");
  join(A, R"({"action":"join","room":"kitchen","since":0})");
  EXPECT_EQ(seqs_of(events_to(A).at(1)), range(1, 120));
}

TEST_F(Join, SinceNullIsNoSince) {
  fill("kitchen", 60, C, "carol");
  join(A, R"({"action":"join","room":"kitchen","since":null})");
  EXPECT_EQ(seqs_of(events_to(A).at(1)), range(11, 60));
}

TEST_F(Join, SinceAtOrPastTheEndIsAnEmptyHistory) {
  fill("kitchen", 5, C, "carol");
  for (int since : {5, 6, 1000}) {
    connections_.clear();
    join(A, json::object{{"action", "join"}, {"room", "kitchen"}, {"since", since}});
    const auto h = events_to(A).at(1);
    EXPECT_TRUE(h.at("messages").as_array().empty()) << since;
    EXPECT_EQ(h.at("hasMore"), false);
    EXPECT_EQ(num(h.at("lastSeq")), 5);
  }
}

// The catch-up after `since` comes in pages of 200 with hasMore on all but the last: every
// message exactly once, in order.
TEST_F(Join, ALongCatchUpComesInPagesOf200) {
  fill("kitchen", 450, C, "carol");
  for (int since : {0, 50, 249, 250, 251}) {
    SCOPED_TRACE(since);
    connections_.clear();
    join(A, json::object{{"action", "join"}, {"room", "kitchen"}, {"since", since}});
    const auto to_a = events_to(A);
    ASSERT_GE(to_a.size(), 2u);
    EXPECT_EQ(str(to_a[0].at("type")), "joined");
    std::vector<std::int64_t> all;
    for (std::size_t i = 1; i < to_a.size(); ++i) {
      const auto& h = to_a[i];
      EXPECT_EQ(str(h.at("type")), "history");
      const auto s = seqs_of(h);
      EXPECT_LE(s.size(), 200u);
      const bool last = i + 1 == to_a.size();
      EXPECT_EQ(h.at("hasMore"), !last) << "page " << i;
      if (!last) {
        EXPECT_EQ(s.size(), 200u);
      }
      EXPECT_EQ(num(h.at("lastSeq")), 450);
      all.insert(all.end(), s.begin(), s.end());
    }
    EXPECT_EQ(all, range(since + 1, 450));
  }
}

// Issue 15, item 10: a client whose send queue is full takes no more pages (429); the catch-up
// stops there instead of reading the rest of the room for nobody. It resumes with `since`.
TEST_F(Join, ACatchUpStopsAtThePageTheClientDoesNotTake) {
  fill("kitchen", 1000, C, "carol");
  connections_.on_post([&](const fakes::FakeConnections::Post& post) {
    if (post.connection_id == A && post.frame->find("\"history\"") != std::string::npos)
      connections_.fail_with(A, core::errc::limit_exceeded);
  });
  const int reads = store_.calls(Op::messages_after);
  join(A, R"({"action":"join","room":"kitchen","since":0})");
  EXPECT_EQ(store_.calls(Op::messages_after) - reads, 2);  // the page taken, the one refused
  ASSERT_EQ(types_to(A), (std::vector<std::string>{"joined", "history"}));
  EXPECT_EQ(seqs_of(events_to(A)[1]), range(1, 200));
  EXPECT_EQ(events_to(A)[1].at("hasMore"), true);
}

TEST_F(Join, ThePagesOf450AfterSinceAre200And200And50) {
  fill("kitchen", 500, C, "carol");
  join(A, R"({"action":"join","room":"kitchen","since":50})");
  const auto to_a = events_to(A);
  ASSERT_EQ(to_a.size(), 4u);
  EXPECT_EQ(seqs_of(to_a[1]), range(51, 250));
  EXPECT_EQ(seqs_of(to_a[2]), range(251, 450));
  EXPECT_EQ(seqs_of(to_a[3]), range(451, 500));
  EXPECT_EQ(to_a[1].at("hasMore"), true);
  EXPECT_EQ(to_a[2].at("hasMore"), true);
  EXPECT_EQ(to_a[3].at("hasMore"), false);
}

TEST_F(Join, ACatchUpOfExactlyTwoPagesEndsWithoutMore) {
  fill("kitchen", 400, C, "carol");
  join(A, R"({"action":"join","room":"kitchen","since":0})");
  const auto to_a = events_to(A);
  ASSERT_EQ(to_a.size(), 3u);
  EXPECT_EQ(seqs_of(to_a[2]), range(201, 400));
  EXPECT_EQ(to_a[1].at("hasMore"), true);
  EXPECT_EQ(to_a[2].at("hasMore"), false);
}

// A message stored while the catch-up is being read is not lost: it is in a page or comes
// live, and the ordering rules of the protocol handle either.
TEST_F(Join, AMessageStoredDuringTheCatchUpIsInAPageOrAfterLastSeq) {
  fill("kitchen", 250, C, "carol");
  int pages = 0;
  store_.before(Op::messages_after, [&] {
    if (++pages == 2) fill("kitchen", 1, C, "carol");  // seq 251, between the two reads
  });
  join(A, R"({"action":"join","room":"kitchen","since":0})");
  std::vector<std::int64_t> all;
  for (const auto& e : events_to(A))
    if (e.at("type") == "history") {
      const auto s = seqs_of(e);
      all.insert(all.end(), s.begin(), s.end());
    }
  ASSERT_GE(all.size(), 250u);
  EXPECT_EQ(std::vector<std::int64_t>(all.begin(), all.begin() + 250), range(1, 250));
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());
}

TEST_F(Join, BadRoomNamesAreBadRoom) {
  for (const std::string& room : {std::string(""), std::string("two words"), std::string(65, 'r'),
                                  std::string("dm:alice:bob"), std::string("a/b"), std::string("\xC3\xA9"),
                                  std::string("a\0b", 3)}) {
    SCOPED_TRACE(room);
    connections_.clear();
    join(A, json::object{{"action", "join"}, {"room", room}, {"clientMsgId", "j1"}});
    expect_only_error_to(A, "bad_room", "join", "j1");
  }
  EXPECT_EQ(store_.member_count(), 3u);
}

TEST_F(Join, AMissingOrMistypedRoomIsBadRequest) {
  for (const char* body : {R"({"action":"join"})", R"({"action":"join","room":5})", R"({"action":"join","room":null})",
                           R"({"action":"join","room":["lobby"]})", R"({"action":"join","room":{}})"}) {
    SCOPED_TRACE(body);
    connections_.clear();
    join(A, body);
    expect_only_error_to(A, "bad_request", "join");
  }
  EXPECT_EQ(store_.member_count(), 3u);
}

TEST_F(Join, ABadSinceIsBadRequestAndJoinsNothing) {
  for (const char* since : {"-1", "\"5\"", "1.5", "true", "[1]", "{}", "1e300", "-9223372036854775808",
                            "18446744073709551616"}) {
    SCOPED_TRACE(since);
    connections_.clear();
    join(A, std::string(R"({"action":"join","room":"kitchen","since":)") + since + "}");
    expect_only_error_to(A, "bad_request", "join");
  }
  EXPECT_FALSE(store_.member("kitchen", A));
}

TEST_F(Join, NotJsonIsBadRequest) {
  for (std::optional<std::string> body : {std::optional<std::string>(), std::optional<std::string>("x"),
                                          std::optional<std::string>("[]")}) {
    connections_.clear();
    join(A, body);
    expect_only_error_to(A, "bad_request", "join");
  }
}

// "internal: the action had no effect": a failure before `joined` leaves no member row and
// announces nothing.
TEST_F(Join, AStoreFailureBeforeJoinedIsInternalAndJoinsNothing) {
  for (auto op : {Op::get_connection, Op::members, Op::put_member, Op::last_seq}) {
    SCOPED_TRACE(static_cast<int>(op));
    connections_.clear();
    store_.fail(op);
    join(A, R"({"action":"join","room":"kitchen"})");
    expect_only_error_to(A, "internal", "join");
    store_.fail(op, false);
    EXPECT_FALSE(store_.member("kitchen", A));
  }
}

TEST_F(Join, AFailingHistoryAfterJoinedIsAnInternalError) {
  store_.fail(Op::messages_before);
  join(A, R"({"action":"join","room":"kitchen"})");
  EXPECT_EQ(types_to(A), (std::vector<std::string>{"joined", "error"}));
  expect_error(events_to(A).back(), "internal", "join");
}

TEST_F(Join, AnUnregisteredConnectionIsInternal) {
  join(D, R"({"action":"join","room":"kitchen"})");
  expect_only_error_to(D, "internal", "join");
  EXPECT_FALSE(store_.member("kitchen", D));
}

// ---- leave ----

class Leave : public fakes::ChatTest {
 protected:
  apigw::Response leave(const std::string& from, std::optional<std::string> body) {
    return handlers::leave(message_event(from, std::move(body), "leave"), ports_);
  }
};

TEST_F(Leave, AnswersLeftAndRemovesTheRow) {
  add_member(A, "kitchen", "alice");
  EXPECT_EQ(leave(A, R"({"action":"leave","room":"lobby"})").status_code, 200);
  EXPECT_EQ(events_to(A), (std::vector<json::object>{json::object{{"type", "left"}, {"room", "lobby"}}}));
  EXPECT_FALSE(store_.member("lobby", A));
  EXPECT_EQ(store_.rooms_of(A), std::vector<std::string>{"kitchen"});
  EXPECT_TRUE(store_.connection(A));  // still connected
}

TEST_F(Leave, AnnouncesTheLeaveToTheRemainingMembers) {
  add_member(D, "lobby", "alice-DDDD");
  leave(D, R"({"action":"leave","room":"lobby"})");
  for (const char* other : {A, B}) {
    EXPECT_EQ(only_event_to(other), (json::object{{"type", "presence"},
                                                  {"room", "lobby"},
                                                  {"event", "leave"},
                                                  {"name", "alice-DDDD"},
                                                  {"connectionId", D},
                                                  {"userId", user_of(D)}}));
  }
  EXPECT_TRUE(connections_.posts_to(C).empty());
  EXPECT_EQ(types_to(D), std::vector<std::string>{"left"});
}

TEST_F(Leave, TheLastMemberLeavesQuietly) {
  leave(C, R"({"action":"leave","room":"kitchen"})");
  EXPECT_EQ(connections_.attempts().size(), 1u);
  EXPECT_TRUE(store_.member_ids("kitchen").empty());
}

TEST_F(Leave, ARoomYouAreNotInIsNotMember) {
  for (const std::string& room : {std::string("kitchen"), std::string("attic"), std::string(""),
                                  std::string("dm:alice:bob"), std::string("LOBBY")}) {
    SCOPED_TRACE(room);
    connections_.clear();
    leave(A, fakes::body(json::object{{"action", "leave"}, {"room", room}}));
    expect_only_error_to(A, "not_member", "leave");
  }
  EXPECT_EQ(store_.member_count(), 3u);
}

TEST_F(Leave, TwiceIsNotMemberTheSecondTime) {
  leave(A, R"({"action":"leave","room":"lobby"})");
  connections_.clear();
  leave(A, R"({"action":"leave","room":"lobby"})");
  expect_only_error_to(A, "not_member", "leave");
}

TEST_F(Leave, AMissingOrMistypedRoomIsBadRequest) {
  for (std::optional<std::string> body :
       {std::optional<std::string>(R"({"action":"leave"})"), std::optional<std::string>(R"({"action":"leave","room":1})"),
        std::optional<std::string>(R"({"action":"leave","room":null})"), std::optional<std::string>("not json"),
        std::optional<std::string>()}) {
    connections_.clear();
    leave(A, body);
    expect_only_error_to(A, "bad_request", "leave");
  }
  EXPECT_TRUE(store_.member("lobby", A));
}

// "internal: the action had no effect": a failed leave leaves the row and announces nothing.
TEST_F(Leave, AStoreFailureIsInternalAndLeavesNothing) {
  for (auto op : {Op::members, Op::delete_member}) {
    SCOPED_TRACE(static_cast<int>(op));
    connections_.clear();
    store_.fail(op);
    leave(A, R"({"action":"leave","room":"lobby"})");
    expect_only_error_to(A, "internal", "leave");
    store_.fail(op, false);
    EXPECT_TRUE(store_.member("lobby", A));
  }
}

TEST_F(Leave, AGoneMemberFoundWhileAnnouncingIsForgotten) {
  connections_.mark_gone(B);
  leave(A, R"({"action":"leave","room":"lobby"})");
  EXPECT_FALSE(store_.connection(B));
  EXPECT_TRUE(store_.member_ids("lobby").empty());
}

// The row is deleted first: a room that cannot be read afterwards costs the announcement only.
TEST_F(Leave, ARoomThatCannotBeReadForTheAnnouncementIsStillLeft) {
  store_.fail_from(Op::members, 2);  // the first read finds the membership
  leave(A, R"({"action":"leave","room":"lobby"})");
  EXPECT_EQ(types_to(A), std::vector<std::string>{"left"});
  EXPECT_FALSE(store_.member("lobby", A));
  EXPECT_TRUE(connections_.posts_to(B).empty());
}

}  // namespace
