#include "handlers/history.hpp"

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

class History : public fakes::ChatTest {
 protected:
  void SetUp() override {
    ChatTest::SetUp();
    fill("lobby", 120);
  }
  apigw::Response history(const std::string& from, std::optional<std::string> body) {
    return handlers::history(message_event(from, std::move(body), "history"), ports_);
  }
  // Runs history for A with these extra members and returns the one event A got.
  json::object page(json::object extra, const std::string& from = A) {
    connections_.clear();
    extra["action"] = "history";
    if (!extra.contains("room")) extra["room"] = "lobby";
    history(from, fakes::body(extra));
    return only_event_to(from);
  }
};

TEST_F(History, DefaultsToTheNewest50) {
  const auto h = page({});
  EXPECT_EQ(fakes::keys(h), (std::set<std::string>{"type", "room", "messages", "hasMore", "lastSeq"}));
  EXPECT_EQ(h.at("type"), "history");
  EXPECT_EQ(h.at("room"), "lobby");
  EXPECT_EQ(seqs_of(h), range(71, 120));
  EXPECT_EQ(h.at("hasMore"), true);
  EXPECT_EQ(num(h.at("lastSeq")), 120);
  EXPECT_EQ(connections_.posts().size(), 1u);  // to the asker only
}

TEST_F(History, EntriesAreMessageEventsOldestFirst) {
  const auto h = page({{"limit", 2}});
  const auto& ms = h.at("messages").as_array();
  ASSERT_EQ(ms.size(), 2u);
  const auto stored = store_.messages("lobby").at(118);
  EXPECT_EQ(ms[0].as_object(), (json::object{{"type", "message"},
                                             {"room", "lobby"},
                                             {"seq", 119},
                                             {"id", stored.id},
                                             {"ts", stored.ts},
                                             {"connectionId", A},
                                             {"name", "alice"},
                                             {"text", "118"}}));
  EXPECT_EQ(num(ms[1].at("seq")), 120);
}

TEST_F(History, BeforePagesBackwardsToTheStart) {
  auto h = page({{"before", 71}});
  EXPECT_EQ(seqs_of(h), range(21, 70));
  EXPECT_EQ(h.at("hasMore"), true);
  h = page({{"before", 21}});
  EXPECT_EQ(seqs_of(h), range(1, 20));
  EXPECT_EQ(h.at("hasMore"), false);
  h = page({{"before", 1}});
  EXPECT_TRUE(seqs_of(h).empty());
  EXPECT_EQ(h.at("hasMore"), false);
  EXPECT_EQ(num(h.at("lastSeq")), 120);
}

TEST_F(History, HasMoreIsFalseWhenThePageReachesSeq1Exactly) {
  auto h = page({{"before", 51}});
  EXPECT_EQ(seqs_of(h), range(1, 50));
  EXPECT_EQ(h.at("hasMore"), false);
  h = page({{"before", 52}});
  EXPECT_EQ(seqs_of(h), range(2, 51));
  EXPECT_EQ(h.at("hasMore"), true);
}

TEST_F(History, BeforePastTheEndIsTheNewest) {
  const auto h = page({{"before", 1000}, {"limit", 3}});
  EXPECT_EQ(seqs_of(h), range(118, 120));
  EXPECT_EQ(h.at("hasMore"), true);
}

TEST_F(History, AfterPagesForwardsToTheEnd) {
  auto h = page({{"after", 0}});
  EXPECT_EQ(seqs_of(h), range(1, 50));
  EXPECT_EQ(h.at("hasMore"), true);
  h = page({{"after", 50}, {"limit", 100}});
  EXPECT_EQ(seqs_of(h), range(51, 120));
  EXPECT_EQ(h.at("hasMore"), false);
  h = page({{"after", 120}});
  EXPECT_TRUE(seqs_of(h).empty());
  EXPECT_EQ(h.at("hasMore"), false);
  h = page({{"after", 500}});
  EXPECT_TRUE(seqs_of(h).empty());
  EXPECT_EQ(h.at("hasMore"), false);
}

TEST_F(History, HasMoreIsFalseWhenThePageReachesTheLastSeqExactly) {
  auto h = page({{"after", 70}});
  EXPECT_EQ(seqs_of(h), range(71, 120));
  EXPECT_EQ(h.at("hasMore"), false);
  h = page({{"after", 69}});
  EXPECT_EQ(seqs_of(h), range(70, 119));
  EXPECT_EQ(h.at("hasMore"), true);
}

TEST_F(History, LimitFrom1To100) {
  EXPECT_EQ(seqs_of(page({{"limit", 1}})), range(120, 120));
  EXPECT_EQ(seqs_of(page({{"limit", 100}})), range(21, 120));
  EXPECT_EQ(seqs_of(page({{"limit", 7}, {"after", 3}})), range(4, 10));
  EXPECT_EQ(seqs_of(page({{"limit", 7}, {"before", 4}})), range(1, 3));
  EXPECT_EQ(seqs_of(page({{"limit", 100.0}})), range(21, 120));
}

TEST_F(History, NullBoundsAreAbsent) {
  EXPECT_EQ(seqs_of(page({{"before", nullptr}, {"after", nullptr}, {"limit", nullptr}})), range(71, 120));
}

TEST_F(History, OutOfRangeOrMistypedBoundsAreBadRequest) {
  for (const char* extra :
       {R"("limit":0)", R"("limit":101)", R"("limit":-1)", R"("limit":1.5)", R"("limit":"10")", R"("limit":1e308)",
        R"("limit":18446744073709551617)", R"("limit":true)", R"("before":0)", R"("before":-1)", R"("before":"5")",
        R"("before":0.000001)", R"("before":-9223372036854775809)", R"("after":-1)", R"("after":-1e400)",
        R"("after":[1])", R"("after":{})", R"("before":5,"after":3)", R"("before":1,"after":0)"}) {
    SCOPED_TRACE(extra);
    connections_.clear();
    history(A, std::string(R"({"action":"history","room":"lobby","clientMsgId":"h1",)") + extra + "}");
    expect_only_error_to(A, "bad_request", "history", "h1");
  }
  EXPECT_EQ(store_.calls(Op::messages_before) + store_.calls(Op::messages_after), 0);
}

TEST_F(History, AMissingOrMistypedRoomIsBadRequest) {
  for (std::optional<std::string> body :
       {std::optional<std::string>(R"({"action":"history"})"), std::optional<std::string>(R"({"action":"history","room":7})"),
        std::optional<std::string>(R"({"action":"history","room":null})"), std::optional<std::string>("nope"),
        std::optional<std::string>()}) {
    connections_.clear();
    history(A, body);
    expect_only_error_to(A, "bad_request", "history");
  }
}

TEST_F(History, ARoomYouAreNotInIsNotMember) {
  fill("kitchen", 3, C, "carol");
  for (const std::string& room : {std::string("kitchen"), std::string("attic"), std::string(""),
                                  std::string(65, 'r'), std::string("LOBBY")}) {
    SCOPED_TRACE(room);
    connections_.clear();
    history(A, fakes::body(json::object{{"action", "history"}, {"room", room}}));
    expect_only_error_to(A, "not_member", "history");
  }
}

TEST_F(History, AnEmptyRoomYouAreInHasAnEmptyHistory) {
  add_member(A, "attic", "alice");
  const auto h = page({{"room", "attic"}});
  EXPECT_TRUE(seqs_of(h).empty());
  EXPECT_EQ(h.at("hasMore"), false);
  EXPECT_EQ(num(h.at("lastSeq")), 0);
}

// ---- direct-message rooms: readable by their two parties only ----

TEST_F(History, ADmRoomIsReadableByBothPartiesOnly) {
  fill("dmu:u-AAAA:u-BBBB", 3, A, "alice");
  for (const char* party : {A, B}) {
    const auto h = page({{"room", "dmu:u-AAAA:u-BBBB"}}, party);
    EXPECT_EQ(h.at("room"), "dmu:u-AAAA:u-BBBB");
    EXPECT_EQ(seqs_of(h), range(1, 3));
  }
  connections_.clear();
  history(C, R"({"action":"history","room":"dmu:u-AAAA:u-BBBB"})");
  expect_only_error_to(C, "not_member", "history");
}

TEST_F(History, ADmRoomGoesByIdentityNeverByName) {
  fill("dmu:u-AAAA:u-BBBB", 1, A, "alice");
  seed(D, "alice", "attic");  // the same name: another person
  history(D, R"({"action":"history","room":"dmu:u-AAAA:u-BBBB"})");
  expect_only_error_to(D, "not_member", "history");
  // Renaming to a party's name opens nothing either.
  auto d = *store_.connection(D);
  d.name = "bob";
  ASSERT_TRUE(store_.put_connection(d));
  connections_.clear();
  history(D, R"({"action":"history","room":"dmu:u-AAAA:u-BBBB"})");
  expect_only_error_to(D, "not_member", "history");
  // Neither the party's name in a room nor its connection's name matters, its identity does.
  auto b = *store_.connection(B);
  b.name = "robert";
  ASSERT_TRUE(store_.put_connection(b));
  EXPECT_EQ(seqs_of(page({{"room", "dmu:u-AAAA:u-BBBB"}}, B)), range(1, 1));
}

TEST_F(History, NameKeyedDmRoomsOfVersion3AreClosedToEveryone) {
  fill("dm:alice:bob", 2, A, "alice");
  for (const char* who : {A, B}) {
    connections_.clear();
    history(who, R"({"action":"history","room":"dm:alice:bob"})");
    expect_only_error_to(who, "not_member", "history");
  }
}

TEST_F(History, MalformedDmRoomsAreNotMember) {
  for (const char* room : {"dmu:u-AAAA", "dmu:", "dmu:u-AAAAu-BBBB", "dmu:u-BBBB:u-CCCC",
                           "dmu:u-AAAA:u-BBBB:x", "dmu::u-AAAA"}) {
    SCOPED_TRACE(room);
    connections_.clear();
    history(A, fakes::body(json::object{{"action", "history"}, {"room", room}}));
    expect_only_error_to(A, "not_member", "history");
  }
}

TEST_F(History, ADmHistoryPagesLikeAnyRoom) {
  fill("dmu:u-AAAA:u-BBBB", 30, A, "alice");
  const auto h = page({{"room", "dmu:u-AAAA:u-BBBB"}, {"before", 11}, {"limit", 5}});
  EXPECT_EQ(seqs_of(h), range(6, 10));
  EXPECT_EQ(h.at("hasMore"), true);
  EXPECT_EQ(num(h.at("lastSeq")), 30);
}

TEST_F(History, AStoreFailureIsInternal) {
  for (auto op : {Op::members, Op::last_seq, Op::messages_before}) {
    SCOPED_TRACE(static_cast<int>(op));
    connections_.clear();
    store_.fail(op);
    history(A, R"({"action":"history","room":"lobby"})");
    expect_only_error_to(A, "internal", "history");
    store_.fail(op, false);
  }
  store_.fail(Op::messages_after);
  connections_.clear();
  history(A, R"({"action":"history","room":"lobby","after":3})");
  expect_only_error_to(A, "internal", "history");
  store_.fail(Op::get_connection);
  connections_.clear();
  history(A, R"({"action":"history","room":"dmu:u-AAAA:u-BBBB"})");
  expect_only_error_to(A, "internal", "history");
}

}  // namespace
