#include "handlers/connect.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "chat_fixture.hpp"
#include "core/ids.hpp"
#include "handlers/names.hpp"

namespace {

using fakes::connect_event;
using Op = fakes::FakeStore::Op;

class Connect : public ::testing::Test {
 protected:
  apigw::Response run(const apigw::Event& e) { return handlers::connect(e, ports_); }

  fakes::FakeStore store_;
  fakes::FakeConnections connections_;
  handlers::Ports ports_{store_, connections_};
};

TEST_F(Connect, StoresTheRowWithNameAndRoomFromTheQuery) {
  const auto r = run(connect_event("Xq1aAbCdEfGhIjA=", apigw::HeaderMap{{"name", "alice"}, {"room", "kitchen"}}));
  EXPECT_EQ(r.status_code, 200);
  EXPECT_TRUE(r.ok());
  const auto row = store_.connection("Xq1aAbCdEfGhIjA=");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->connection_id, "Xq1aAbCdEfGhIjA=");
  EXPECT_EQ(row->name, "alice");
  EXPECT_EQ(row->room, "kitchen");
  EXPECT_EQ(row->connected_at, fakes::connected_at);
  EXPECT_EQ(row->gateway, "");
  // The row outlives the 2-hour connection limit, so TTL only sweeps rows of crashed nodes.
  EXPECT_GT(row->ttl, fakes::connected_at / 1000 + 2 * 3600);
  EXPECT_EQ(store_.connection_count(), 1u);
}

TEST_F(Connect, PostsNothing) {
  // PostToConnection during $connect would answer 410 on AWS.
  run(connect_event("Xq1aAbCdEfGhIjA=", apigw::HeaderMap{{"name", "alice"}}));
  EXPECT_TRUE(connections_.attempts().empty());
}

TEST_F(Connect, DefaultsToAGuestNameInTheLobby) {
  const auto r = run(connect_event("R1kmxc2VNjMCFIA="));
  EXPECT_TRUE(r.ok());
  const auto row = store_.connection("R1kmxc2VNjMCFIA=");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->name, "guest-R1km");
  EXPECT_EQ(row->room, "lobby");
}

TEST_F(Connect, EmptyParametersAlsoGetTheDefaults) {
  run(connect_event("Mg_ugfpqPHcCIVA=", apigw::HeaderMap{{"name", ""}, {"room", ""}}));
  const auto row = store_.connection("Mg_ugfpqPHcCIVA=");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->name, "guest-Mgug");  // '_' skipped: four letters or digits
  EXPECT_EQ(row->room, "lobby");
}

TEST_F(Connect, OtherQueryParametersAreIgnored) {
  run(connect_event("Xq1aAbCdEfGhIjA=", apigw::HeaderMap{{"room", "kitchen"}, {"token", "x y z"}}));
  const auto row = store_.connection("Xq1aAbCdEfGhIjA=");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->room, "kitchen");
  EXPECT_TRUE(std::regex_match(row->name, std::regex("^guest-[A-Za-z0-9]{4}$"))) << row->name;
}

TEST_F(Connect, GuestNamesOfRandomIdsAreValid) {
  for (int i = 0; i < 200; ++i) {
    const auto id = core::new_connection_id();
    ASSERT_TRUE(run(connect_event(id)).ok()) << id;
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
    const auto r = run(connect_event(id, apigw::HeaderMap{{"name", name}}));
    EXPECT_EQ(r.status_code, 200);
    ASSERT_TRUE(store_.connection(id));
    EXPECT_EQ(store_.connection(id)->name, name);
  }
}

TEST_F(Connect, RefusesBadNamesWith400AndStoresNothing) {
  for (const std::string& name :
       {std::string(33, 'x'), std::string(" alice"), std::string("alice "), std::string(" "),
        std::string("a/b"), std::string("<script>"), std::string("al\tice"), std::string("a\"b"),
        std::string("bob\nmallory"), std::string("名前"), std::string("Zo\xC3\xAB"), std::string("a\0b", 3), std::string("x@y"),
        std::string("%3D")}) {
    SCOPED_TRACE(name);
    const auto r = run(connect_event("Xq1aAbCdEfGhIjA=", apigw::HeaderMap{{"name", name}}));
    EXPECT_EQ(r.status_code, 400);
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(r.body);
  }
  EXPECT_EQ(store_.connection_count(), 0u);
  EXPECT_EQ(store_.calls(Op::put_connection), 0);
}

TEST_F(Connect, AcceptsRoomsAtTheLimits) {
  for (const std::string& room : {std::string("a"), std::string(64, 'r'), std::string("team-1_a.b")}) {
    const auto id = core::new_connection_id();
    EXPECT_EQ(run(connect_event(id, apigw::HeaderMap{{"room", room}})).status_code, 200) << room;
    ASSERT_TRUE(store_.connection(id));
    EXPECT_EQ(store_.connection(id)->room, room);
  }
}

TEST_F(Connect, RefusesBadRoomsWith400AndStoresNothing) {
  for (const std::string& room : {std::string(65, 'r'), std::string("two words"), std::string("../etc"),
                                 std::string("a/b"), std::string("ロビー"), std::string("#general"),
                                 std::string("a\0b", 3), std::string(" lobby")}) {
    SCOPED_TRACE(room);
    const auto r = run(connect_event("Xq1aAbCdEfGhIjA=", apigw::HeaderMap{{"name", "alice"}, {"room", room}}));
    EXPECT_EQ(r.status_code, 400);
    EXPECT_TRUE(r.body);
  }
  EXPECT_EQ(store_.connection_count(), 0u);
}

TEST_F(Connect, Answers500WhenTheStoreFails) {
  store_.fail_all();
  const auto r = run(connect_event("Xq1aAbCdEfGhIjA=", apigw::HeaderMap{{"name", "alice"}}));
  EXPECT_EQ(r.status_code, 500);
  EXPECT_TRUE(r.body);
  store_.fail_all(false);
  EXPECT_EQ(store_.connection_count(), 0u);
}

TEST_F(Connect, ReconnectWithTheSameIdReplacesTheRow) {
  run(connect_event("Xq1aAbCdEfGhIjA=", apigw::HeaderMap{{"room", "a"}}));
  run(connect_event("Xq1aAbCdEfGhIjA=", apigw::HeaderMap{{"room", "b"}}));
  EXPECT_EQ(store_.connection_count(), 1u);
  EXPECT_EQ(store_.connection("Xq1aAbCdEfGhIjA=")->room, "b");
}

}  // namespace
