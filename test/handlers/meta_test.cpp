#include "handlers/meta.hpp"

#include <gtest/gtest.h>

#include "chat_fixture.hpp"

namespace {

using fakes::message_event;
using fakes::num;
using fakes::range;
using fakes::seqs_of;
using fakes::str;
using Op = fakes::FakeStore::Op;
namespace json = boost::json;

class Hello : public fakes::ChatTest {
 protected:
  apigw::Response hello(const std::string& from, const std::string& body = R"({"action":"hello"})") {
    return handlers::hello(message_event(from, body, "hello"), ports_);
  }
  // The history events posted to `id`, by room, in order.
  std::vector<json::object> histories_to(const std::string& id) {
    std::vector<json::object> out;
    for (auto& e : events_to(id))
      if (e.at("type") == "history") out.push_back(std::move(e));
    return out;
  }
};

TEST_F(Hello, AnswersWelcomeThenTheHomeRoomsHistoryToTheSenderOnly) {
  fill("kitchen", 3, C, "carol");
  EXPECT_EQ(hello(C).status_code, 200);
  const auto to_c = events_to(C);
  ASSERT_EQ(to_c.size(), 2u);
  EXPECT_EQ(to_c[0], (json::object{{"type", "welcome"},
                                   {"connectionId", C},
                                   {"name", "carol"},
                                   {"userId", "u-CCCC"},
                                   {"rooms", json::array{"kitchen"}}}));
  EXPECT_EQ(str(to_c[1].at("type")), "history");
  EXPECT_EQ(to_c[1].at("room"), "kitchen");
  EXPECT_EQ(seqs_of(to_c[1]), range(1, 3));
  EXPECT_EQ(to_c[1].at("hasMore"), false);
  EXPECT_EQ(num(to_c[1].at("lastSeq")), 3);
  EXPECT_EQ(connections_.posts().size(), 2u);
}

TEST_F(Hello, AGuestsWelcomeCarriesItsGuestTokenToKeep) {
  auto e = fakes::message_event(C, std::string(R"({"action":"hello"})"), "hello");
  e.request_context.authorizer = json::object{{"principalId", "u-CCCC"}, {"guest", "true"},
                                              {"guestToken", "h.p.s"}};
  handlers::hello(e, ports_);
  const auto w = events_to(C).at(0);
  EXPECT_EQ(w.at("type"), "welcome");
  EXPECT_EQ(w.at("guestToken"), "h.p.s");
  EXPECT_EQ(w.at("userId"), "u-CCCC");
}

TEST_F(Hello, AnEmptyRoomHasAnEmptyHistory) {
  hello(C);
  const auto h = histories_to(C).at(0);
  EXPECT_TRUE(h.at("messages").as_array().empty());
  EXPECT_EQ(h.at("hasMore"), false);
  EXPECT_EQ(num(h.at("lastSeq")), 0);
}

TEST_F(Hello, ListsEveryRoomHomeRoomFirstWithOneHistoryEach) {
  // bob's home is "lobby", which sorts after "attic" and "kitchen".
  add_member(B, "attic", "bob");
  add_member(B, "kitchen", "bob");
  add_member(B, "zoo", "bob");
  fill("attic", 1);
  fill("kitchen", 2);
  hello(B);
  const auto to_b = events_to(B);
  ASSERT_EQ(to_b.size(), 5u);
  EXPECT_EQ(to_b[0].at("rooms"), (json::array{"lobby", "attic", "kitchen", "zoo"}));
  std::vector<std::string> rooms;
  for (std::size_t i = 1; i < to_b.size(); ++i) {
    EXPECT_EQ(str(to_b[i].at("type")), "history");
    rooms.push_back(str(to_b[i].at("room")));
  }
  EXPECT_EQ(rooms, (std::vector<std::string>{"lobby", "attic", "kitchen", "zoo"}));
  EXPECT_EQ(seqs_of(to_b[3]), range(1, 2));
}

TEST_F(Hello, TheNameIsTheConnectionsName) {
  ASSERT_TRUE(store_.put_member(store::Member{"lobby", B, "bob-BBBB", 1, 0}));
  hello(B);
  EXPECT_EQ(events_to(B).at(0).at("name"), "bob");
}

TEST_F(Hello, WithoutSinceEachRoomGetsItsNewest50) {
  fill("lobby", 60);
  hello(A);
  const auto h = histories_to(A).at(0);
  EXPECT_EQ(seqs_of(h), range(11, 60));
  EXPECT_EQ(h.at("hasMore"), true);
  EXPECT_EQ(num(h.at("lastSeq")), 60);
}

TEST_F(Hello, Exactly50HaveNoMore) {
  fill("lobby", 50);
  hello(A);
  const auto h = histories_to(A).at(0);
  EXPECT_EQ(seqs_of(h), range(1, 50));
  EXPECT_EQ(h.at("hasMore"), false);
}

TEST_F(Hello, HistoryEntriesAreTheStoredMessages) {
  fill("lobby", 1);
  hello(A);
  const auto m = histories_to(A).at(0).at("messages").at(0).as_object();
  const auto stored = store_.messages("lobby").at(0);
  EXPECT_EQ(m, (json::object{{"type", "message"},
                             {"room", "lobby"},
                             {"seq", 1},
                             {"id", stored.id},
                             {"ts", stored.ts},
                             {"connectionId", A},
                             {"name", "alice"},
                             {"text", "0"}}));
}

TEST_F(Hello, TheConnectTimeSinceBringsTheHomeRoomAfterIt) {
  seed(D, "dave", "lobby", 55);
  add_member(D, "kitchen", "dave");
  fill("lobby", 60);
  fill("kitchen", 60);
  hello(D);
  const auto hs = histories_to(D);
  ASSERT_EQ(hs.size(), 2u);
  EXPECT_EQ(hs[0].at("room"), "lobby");
  EXPECT_EQ(seqs_of(hs[0]), range(56, 60));
  EXPECT_EQ(hs[0].at("hasMore"), false);
  EXPECT_EQ(hs[1].at("room"), "kitchen");  // not the home room: newest 50
  EXPECT_EQ(seqs_of(hs[1]), range(11, 60));
}

TEST_F(Hello, SinceZeroBringsEverything) {
  seed(D, "dave", "lobby", 0);
  fill("lobby", 60);
  hello(D);
  EXPECT_EQ(seqs_of(histories_to(D).at(0)), range(1, 60));
}

TEST_F(Hello, TheSinceInTheBodyBringsEachRoomAfterIt) {
  add_member(A, "kitchen", "alice");
  add_member(A, "attic", "alice");
  fill("lobby", 60);
  fill("kitchen", 60);
  fill("attic", 60);
  hello(A, R"({"action":"hello","since":{"lobby":58,"kitchen":0,"elsewhere":3}})");
  const auto hs = histories_to(A);
  ASSERT_EQ(hs.size(), 3u);
  EXPECT_EQ(hs[0].at("room"), "lobby");
  EXPECT_EQ(seqs_of(hs[0]), range(59, 60));
  EXPECT_EQ(hs[1].at("room"), "attic");  // not in since: newest 50
  EXPECT_EQ(seqs_of(hs[1]), range(11, 60));
  EXPECT_EQ(hs[2].at("room"), "kitchen");
  EXPECT_EQ(seqs_of(hs[2]), range(1, 60));
  EXPECT_EQ(hs[2].at("hasMore"), false);
}

TEST_F(Hello, TheSinceInTheBodyWinsOverTheConnectTimeOne) {
  seed(D, "dave", "lobby", 10);
  fill("lobby", 20);
  hello(D, R"({"action":"hello","since":{"lobby":18}})");
  EXPECT_EQ(seqs_of(histories_to(D).at(0)), range(19, 20));
}

TEST_F(Hello, SinceAtOrPastTheEndIsAnEmptyHistory) {
  fill("lobby", 5);
  for (const char* since : {"5", "6", "9223372036854775807"}) {
    SCOPED_TRACE(since);
    connections_.clear();
    hello(A, std::string(R"({"action":"hello","since":{"lobby":)") + since + "}}");
    const auto h = histories_to(A).at(0);
    EXPECT_TRUE(h.at("messages").as_array().empty());
    EXPECT_EQ(h.at("hasMore"), false);
    EXPECT_EQ(num(h.at("lastSeq")), 5);
  }
}

// More than a page after since: pages of 200, every message exactly once and in order, hasMore
// on all but the last.
TEST_F(Hello, ALongCatchUpComesInPages) {
  fill("lobby", 450);
  hello(A, R"({"action":"hello","since":{"lobby":0}})");
  const auto hs = histories_to(A);
  ASSERT_EQ(hs.size(), 3u);
  EXPECT_EQ(seqs_of(hs[0]), range(1, 200));
  EXPECT_EQ(seqs_of(hs[1]), range(201, 400));
  EXPECT_EQ(seqs_of(hs[2]), range(401, 450));
  EXPECT_EQ(hs[0].at("hasMore"), true);
  EXPECT_EQ(hs[1].at("hasMore"), true);
  EXPECT_EQ(hs[2].at("hasMore"), false);
  for (const auto& h : hs) EXPECT_EQ(num(h.at("lastSeq")), 450);
}

TEST_F(Hello, BadSinceIsBadRequestAndNothingElse) {
  fill("lobby", 3);
  add_member(A, "kitchen", "alice");
  for (const char* since : {R"("x")", "5", "[1]", "true", R"({"lobby":-1})", R"({"lobby":"one"})",
                            R"({"lobby":1.5})", R"({"lobby":1e300})", R"({"lobby":-1e300})",
                            R"({"lobby":18446744073709551616})", R"({"lobby":[1]})", R"({"lobby":{}})",
                            // a bad value for a later room, or for a room the sender is not in
                            R"({"lobby":1,"kitchen":-1})", R"({"zoo":"x"})"}) {
    SCOPED_TRACE(since);
    connections_.clear();
    EXPECT_NO_THROW(hello(A, std::string(R"({"action":"hello","since":)") + since + "}"));
    expect_only_error_to(A, "bad_request", "hello");
  }
}

TEST_F(Hello, AConnectionInNoRoomGetsAnEmptyWelcome) {
  ASSERT_TRUE(store_.delete_member("lobby", A));
  hello(A);
  EXPECT_EQ(only_event_to(A).at("rooms"), json::array{});
}

TEST_F(Hello, FromAnUnregisteredConnectionIsInternal) {
  hello("ZZZZzzzzZZZZzzz=");
  expect_only_error_to("ZZZZzzzzZZZZzzz=", "internal", "hello");
}

TEST_F(Hello, WithTheStoreDownIsInternal) {
  store_.fail_all();
  hello(A);
  expect_only_error_to(A, "internal", "hello");
}

TEST_F(Hello, AFailingReadBeforeTheWelcomeIsOnlyAnInternalError) {
  for (auto op : {Op::get_connection, Op::memberships}) {
    SCOPED_TRACE(static_cast<int>(op));
    connections_.clear();
    store_.fail(op);
    hello(A);
    expect_only_error_to(A, "internal", "hello");
    store_.fail(op, false);
  }
}

TEST_F(Hello, AFailingHistoryReadEndsWithAnInternalError) {
  for (auto op : {Op::last_seq, Op::messages_before}) {
    SCOPED_TRACE(static_cast<int>(op));
    connections_.clear();
    store_.fail(op);
    hello(A);
    EXPECT_EQ(types_to(A), (std::vector<std::string>{"welcome", "error"}));
    expect_error(events_to(A).back(), "internal", "hello");
    store_.fail(op, false);
  }
}

// ---- ping ----

class Ping : public fakes::ChatTest {
 protected:
  apigw::Response ping(const std::string& from) {
    return handlers::ping(message_event(from, R"({"action":"ping"})", "ping"), ports_);
  }
};

TEST_F(Ping, AnswersPongToTheSenderOnly) {
  EXPECT_EQ(ping(B).status_code, 200);
  ASSERT_EQ(connections_.posts().size(), 1u);
  EXPECT_EQ(*connections_.posts_to(B).at(0).frame, R"({"type":"pong"})");
}

TEST_F(Ping, NeedsNoStore) {
  store_.fail_all();
  const auto calls = store_.call_log().size();
  ping(B);
  EXPECT_EQ(*connections_.posts_to(B).at(0).frame, R"({"type":"pong"})");
  EXPECT_EQ(store_.call_log().size(), calls);
}

TEST_F(Ping, AnyBodyIsAPing) {
  handlers::ping(message_event(B, std::nullopt, "ping"), ports_);
  handlers::ping(message_event(B, "not json", "ping"), ports_);
  EXPECT_EQ(types_to(B), (std::vector<std::string>{"pong", "pong"}));
}

TEST_F(Ping, PingOfAGoneConnectionIsNotFatal) {
  connections_.mark_gone(B);
  EXPECT_NO_THROW(ping(B));
  EXPECT_TRUE(connections_.posts().empty());
}

}  // namespace
