#include "handlers/connect.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "chat_fixture.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "handlers/names.hpp"

namespace {

using fakes::connect_event;
using fakes::str;
using Op = fakes::FakeStore::Op;

constexpr const char* X = "Xq1aAbCdEfGhIjA=";

class Connect : public fakes::ChatTest {
 protected:
  apigw::Response run(const apigw::Event& e) { return handlers::connect(e, ports_); }
};

TEST_F(Connect, StoresTheRowWithNameRoomAndSinceFromTheQuery) {
  const auto r = run(connect_event(X, apigw::HeaderMap{{"name", "xavier"}, {"room", "attic"}, {"since", "41"}}));
  EXPECT_EQ(r.status_code, 200);
  EXPECT_TRUE(r.ok());
  const auto row = store_.connection(X);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->connection_id, X);
  EXPECT_EQ(row->name, "xavier");
  EXPECT_EQ(row->home_room, "attic");
  EXPECT_EQ(row->since, 41);
  EXPECT_EQ(row->connected_at, fakes::connected_at);
  EXPECT_EQ(row->gateway, "");
  // The row outlives the 2-hour connection limit, so TTL only sweeps rows of crashed nodes.
  EXPECT_GT(row->ttl, fakes::connected_at / 1000 + 2 * 3600);
  EXPECT_EQ(store_.connection_count(), 4u);
}

TEST_F(Connect, JoinsTheHomeRoom) {
  const auto before = core::now_ms();
  run(connect_event(X, apigw::HeaderMap{{"name", "xavier"}, {"room", "attic"}}));
  const auto after = core::now_ms();
  EXPECT_EQ(store_.rooms_of(X), std::vector<std::string>{"attic"});
  const auto m = store_.member("attic", X);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->name, "xavier");
  EXPECT_GE(m->joined_at, before);
  EXPECT_LE(m->joined_at, after);
  EXPECT_GT(m->ttl, m->joined_at / 1000 + 2 * 3600);
}

TEST_F(Connect, AnnouncesTheJoinToTheOthersButNotToItself) {
  // PostToConnection during $connect would answer 410 on AWS: nothing goes to the new one.
  run(connect_event(X, apigw::HeaderMap{{"name", "xavier"}}));
  EXPECT_TRUE(connections_.attempts_to(X).empty());
  for (const char* other : {A, B}) {
    const auto o = only_event_to(other);
    EXPECT_EQ(o, (boost::json::object{{"type", "presence"},
                                      {"room", "lobby"},
                                      {"event", "join"},
                                      {"name", "xavier"},
                                      {"connectionId", X},
                                      {"userId", std::string("c-") + X}}));
  }
  EXPECT_TRUE(connections_.posts_to(C).empty());  // kitchen
  // One encoding for everyone.
  EXPECT_EQ(connections_.posts_to(A)[0].frame.get(), connections_.posts_to(B)[0].frame.get());
}

TEST_F(Connect, IntoAnEmptyRoomPostsNothing) {
  run(connect_event(X, apigw::HeaderMap{{"room", "attic"}}));
  EXPECT_TRUE(connections_.attempts().empty());
}

TEST_F(Connect, ANameTakenInTheRoomIsMadeUniqueThere) {
  run(connect_event(X, apigw::HeaderMap{{"name", "Alice"}}));
  EXPECT_EQ(store_.member("lobby", X)->name, "Alice-Xq1a");
  EXPECT_EQ(store_.connection(X)->name, "Alice");  // the name asked for, kept for other rooms
  EXPECT_EQ(str(only_event_to(B).at("name")), "Alice-Xq1a");
  // The same name in a room where it is free is kept.
  run(connect_event("YYYYyyyyYYYYyyy=", apigw::HeaderMap{{"name", "alice"}, {"room", "kitchen"}}));
  EXPECT_EQ(store_.member("kitchen", "YYYYyyyyYYYYyyy=")->name, "alice");
}

TEST_F(Connect, DefaultsToAGuestNameInTheLobbyWithoutSince) {
  const auto r = run(connect_event("R1kmxc2VNjMCFIA="));
  EXPECT_TRUE(r.ok());
  const auto row = store_.connection("R1kmxc2VNjMCFIA=");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->name, "guest-R1km");
  EXPECT_EQ(row->home_room, "lobby");
  EXPECT_EQ(row->since, -1);
  EXPECT_EQ(store_.rooms_of("R1kmxc2VNjMCFIA="), std::vector<std::string>{"lobby"});
}

TEST_F(Connect, EmptyParametersAlsoGetTheDefaults) {
  run(connect_event("Mg_ugfpqPHcCIVA=", apigw::HeaderMap{{"name", ""}, {"room", ""}, {"since", ""}}));
  const auto row = store_.connection("Mg_ugfpqPHcCIVA=");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->name, "guest-Mgug");  // '_' skipped: four letters or digits
  EXPECT_EQ(row->home_room, "lobby");
  EXPECT_EQ(row->since, -1);
}

TEST_F(Connect, OtherQueryParametersAreIgnored) {
  run(connect_event(X, apigw::HeaderMap{{"room", "kitchen"}, {"token", "x y z"}}));
  const auto row = store_.connection(X);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->home_room, "kitchen");
  EXPECT_TRUE(std::regex_match(row->name, std::regex("^guest-[A-Za-z0-9]{4}$"))) << row->name;
}

TEST_F(Connect, GuestNamesOfRandomIdsAreValid) {
  for (int i = 0; i < 200; ++i) {
    const auto id = core::new_connection_id();
    ASSERT_TRUE(run(connect_event(id, apigw::HeaderMap{{"room", "r" + std::to_string(i)}})).ok()) << id;
    const auto row = store_.connection(id);
    ASSERT_TRUE(row);
    EXPECT_TRUE(std::regex_match(row->name, std::regex("^guest-[A-Za-z0-9]{4}$"))) << row->name;
  }
}

TEST_F(Connect, AcceptsNamesAtTheLimits) {
  for (const std::string& name : {std::string("a"), std::string(32, 'x'), std::string("Mr. Smith_2-x"),
                                  std::string("in the middle")}) {
    SCOPED_TRACE(name);
    const auto id = core::new_connection_id();
    const auto r = run(connect_event(id, apigw::HeaderMap{{"name", name}, {"room", "attic"}}));
    EXPECT_EQ(r.status_code, 200);
    ASSERT_TRUE(store_.connection(id));
    EXPECT_EQ(store_.connection(id)->name, name);
  }
}

TEST_F(Connect, RefusesBadNamesWith400AndStoresNothing) {
  for (const std::string& name :
       {std::string(33, 'x'), std::string(" alice"), std::string("alice "), std::string(" "),
        std::string("a/b"), std::string("<script>"), std::string("al\tice"), std::string("a\"b"),
        std::string("bob\nmallory"), std::string("名前"), std::string("Zo\xC3\xAB"), std::string("a\0b", 3),
        std::string("x@y"), std::string("%3D"), std::string("a:b")}) {
    SCOPED_TRACE(name);
    const auto r = run(connect_event(X, apigw::HeaderMap{{"name", name}}));
    EXPECT_EQ(r.status_code, 400);
    EXPECT_FALSE(r.ok());
    ASSERT_TRUE(r.body);
    EXPECT_FALSE(r.body->empty());
  }
  EXPECT_EQ(store_.connection_count(), 3u);
  EXPECT_EQ(store_.member_count(), 3u);
  EXPECT_EQ(store_.calls(Op::put_connection), 3);  // the fixture's
  EXPECT_TRUE(connections_.attempts().empty());
}

TEST_F(Connect, AcceptsRoomsAtTheLimits) {
  for (const std::string& room : {std::string("a"), std::string(64, 'r'), std::string("team-1_a.b")}) {
    const auto id = core::new_connection_id();
    EXPECT_EQ(run(connect_event(id, apigw::HeaderMap{{"room", room}})).status_code, 200) << room;
    ASSERT_TRUE(store_.connection(id));
    EXPECT_EQ(store_.connection(id)->home_room, room);
    EXPECT_EQ(store_.rooms_of(id), std::vector<std::string>{room});
  }
}

TEST_F(Connect, RefusesBadRoomsWith400AndStoresNothing) {
  for (const std::string& room : {std::string(65, 'r'), std::string("two words"), std::string("../etc"),
                                  std::string("a/b"), std::string("ロビー"), std::string("#general"),
                                  std::string("a\0b", 3), std::string(" lobby"), std::string("dm:alice:bob")}) {
    SCOPED_TRACE(room);
    const auto r = run(connect_event(X, apigw::HeaderMap{{"name", "xavier"}, {"room", room}}));
    EXPECT_EQ(r.status_code, 400);
    ASSERT_TRUE(r.body);
    EXPECT_FALSE(r.body->empty());
  }
  EXPECT_EQ(store_.connection_count(), 3u);
  EXPECT_EQ(store_.member_count(), 3u);
  EXPECT_TRUE(connections_.attempts().empty());
}

TEST_F(Connect, AcceptsWholeNumbersForSince) {
  for (const auto& [text, value] : std::vector<std::pair<std::string, std::int64_t>>{
           {"0", 0}, {"7", 7}, {"007", 7}, {"9223372036854775807", INT64_MAX}}) {
    const auto id = core::new_connection_id();
    EXPECT_EQ(run(connect_event(id, apigw::HeaderMap{{"since", text}})).status_code, 200) << text;
    ASSERT_TRUE(store_.connection(id));
    EXPECT_EQ(store_.connection(id)->since, value) << text;
  }
}

TEST_F(Connect, RefusesBadSinceWith400AndStoresNothing) {
  for (const std::string& since :
       {std::string("-1"), std::string("+1"), std::string("1.5"), std::string("1e3"), std::string("x"),
        std::string(" 1"), std::string("1 "), std::string("0x10"), std::string("9223372036854775808"),
        std::string("99999999999999999999999"), std::string("1\0", 2),
        std::string("１")}) {
    SCOPED_TRACE(since);
    const auto r = run(connect_event(X, apigw::HeaderMap{{"name", "xavier"}, {"since", since}}));
    EXPECT_EQ(r.status_code, 400);
    ASSERT_TRUE(r.body);
  }
  EXPECT_EQ(store_.connection_count(), 3u);
  EXPECT_EQ(store_.member_count(), 3u);
  EXPECT_TRUE(connections_.attempts().empty());
}

TEST_F(Connect, Answers500WhenTheStoreIsDown) {
  store_.fail_all();
  const auto r = run(connect_event(X, apigw::HeaderMap{{"name", "xavier"}}));
  EXPECT_EQ(r.status_code, 500);
  EXPECT_TRUE(r.body);
  store_.fail_all(false);
  EXPECT_FALSE(store_.connection(X));
  EXPECT_TRUE(store_.rooms_of(X).empty());
}

// Any one step failing refuses the handshake and leaves no row behind: a refused client has no
// $disconnect to clean up after it.
TEST_F(Connect, Answers500AndLeavesNoRowsWhenAnyStepFails) {
  for (auto op : {Op::put_connection, Op::members, Op::put_member}) {
    SCOPED_TRACE(static_cast<int>(op));
    store_.fail(op);
    const auto r = run(connect_event(X, apigw::HeaderMap{{"name", "xavier"}}));
    EXPECT_EQ(r.status_code, 500);
    ASSERT_TRUE(r.body);
    store_.fail(op, false);
    EXPECT_FALSE(store_.connection(X));
    EXPECT_TRUE(store_.rooms_of(X).empty());
    EXPECT_EQ(store_.member_ids("lobby"), (std::vector<std::string>{A, B}));
  }
  // Nobody was told about a join that did not happen.
  EXPECT_TRUE(connections_.attempts().empty());
}

TEST_F(Connect, ReconnectWithTheSameIdReplacesTheRow) {
  run(connect_event(X, apigw::HeaderMap{{"room", "attic"}, {"name", "xavier"}}));
  run(connect_event(X, apigw::HeaderMap{{"room", "attic"}, {"name", "xavier"}, {"since", "3"}}));
  EXPECT_EQ(store_.connection_count(), 4u);
  EXPECT_EQ(store_.connection(X)->since, 3);
  EXPECT_EQ(store_.member_ids("attic"), std::vector<std::string>{X});
  EXPECT_EQ(store_.member("attic", X)->name, "xavier");  // not xavier-XXXX: it is itself
}

}  // namespace

namespace {

apigw::Event signed_in(apigw::Event e, const char* user_id, const char* name) {
  e.request_context.authorizer = boost::json::object{{"principalId", user_id}, {"userId", user_id},
                                                     {"name", name}, {"integrationLatency", 0}};
  return e;
}

TEST_F(Connect, TheNameFromTheTokenOverridesTheQuery) {
  run(signed_in(connect_event(X, apigw::HeaderMap{{"name", "mallory"}}), "user-x", "xavier"));
  EXPECT_EQ(store_.connection(X)->name, "xavier");
}

TEST_F(Connect, TheUserIdFromTheTokenIsStoredWithTheConnection) {
  run(signed_in(connect_event(X), "user-x", "xavier"));
  EXPECT_EQ(store_.connection(X)->user_id, "user-x");
  EXPECT_EQ(store_.member("lobby", X)->user_id, "user-x");
  // Without an authorizer the connection is its own identity (never its name).
  run(connect_event(A, apigw::HeaderMap{{"name", "anon"}}));
  EXPECT_EQ(store_.connection(A)->user_id, std::string("c-") + A);
  EXPECT_EQ(store_.member("lobby", A)->user_id, std::string("c-") + A);
}

TEST_F(Connect, AGuestKeepsItsChosenNameAndHasTheGuestIdAsUserId) {
  auto e = connect_event(X, apigw::HeaderMap{{"name", "ann"}});
  e.request_context.authorizer = boost::json::object{{"principalId", "g_guest1"}, {"userId", "g_guest1"},
                                                     {"guest", "true"}, {"guestToken", "t.t.t"}};
  run(e);
  EXPECT_EQ(store_.connection(X)->name, "ann");
  EXPECT_EQ(store_.connection(X)->user_id, "g_guest1");
  EXPECT_EQ(store_.member("lobby", X)->user_id, "g_guest1");
}

TEST_F(Connect, ATokenNameANameCannotHoldIsMadeValid) {
  run(signed_in(connect_event(X), "user-x", "xavier@example.com"));
  EXPECT_EQ(store_.connection(X)->name, "xavier_example.com");
}

TEST_F(Connect, ATokenWithoutANameGetsOneFromTheUserId) {
  run(signed_in(connect_event(X), "0f6a2c1e-1111-2222", ""));
  EXPECT_EQ(store_.connection(X)->name, "user-0f6a2c1e");
}

}  // namespace
