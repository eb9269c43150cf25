#include "handlers/router.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "chat_fixture.hpp"

namespace {

using fakes::message_event;

const std::vector<std::string> all_routes{"$connect", "$default", "$disconnect", "dm",    "hello", "history",
                                          "join",     "leave",    "ping",        "setname", "sendmessage", "who"};

TEST(ChatRoutes, HasExactlyTheApisTwelveRoutes) {
  auto keys = handlers::chat_routes().route_keys();
  std::sort(keys.begin(), keys.end());
  auto want = all_routes;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(keys.size(), 12u);
  EXPECT_EQ(keys, want);
}

TEST(ChatRoutes, FindsEachRouteAndNothingElse) {
  const auto r = handlers::chat_routes();
  for (const auto& key : all_routes) {
    const auto* h = r.find(key);
    ASSERT_NE(h, nullptr) << key;
    EXPECT_TRUE(static_cast<bool>(*h)) << key;
  }
  for (const char* key : {"", "default", "$DEFAULT", "SendMessage", "sendmessage ", "connect", "$ping", "Join",
                          "send_message", "message", "welcome", "$join"}) {
    EXPECT_EQ(r.find(key), nullptr) << key;
  }
}

class RoutedChat : public fakes::ChatTest {
 protected:
  apigw::Response dispatch(const apigw::Event& e) {
    const auto* h = routes_.find(e.request_context.route_key);
    EXPECT_NE(h, nullptr) << e.request_context.route_key;
    return h ? (*h)(e, ports_) : apigw::Response{};
  }
  apigw::Response act(const std::string& from, const std::string& route, const std::string& body) {
    return dispatch(message_event(from, body, route));
  }
  std::string last_type(const std::string& id) {
    const auto posts = connections_.posts_to(id);
    return posts.empty() ? "" : fakes::str(fakes::parse_frame(posts.back()).at("type"));
  }
  handlers::Router routes_ = handlers::chat_routes();
};

TEST_F(RoutedChat, EachKeyRunsItsHandler) {
  // $connect stores a row and joins the home room.
  EXPECT_TRUE(dispatch(fakes::connect_event(D, apigw::HeaderMap{{"name", "dave"}})).ok());
  ASSERT_TRUE(store_.connection(D));
  EXPECT_EQ(store_.connection(D)->home_room, "lobby");
  EXPECT_EQ(store_.rooms_of(D), std::vector<std::string>{"lobby"});

  act(A, "ping", R"({"action":"ping"})");
  EXPECT_EQ(*connections_.posts_to(A).back().frame, R"({"type":"pong"})");

  act(D, "hello", R"({"action":"hello"})");
  EXPECT_EQ(fakes::parse_frame(connections_.posts_to(D).at(0)).at("type"), "welcome");

  act(B, "sendmessage", R"({"action":"sendmessage","message":"hi"})");
  EXPECT_EQ(fakes::parse_frame(connections_.posts_to(D).back()).at("text"), "hi");

  act(D, "join", R"({"action":"join","room":"kitchen"})");
  EXPECT_EQ(last_type(D), "history");
  EXPECT_EQ(last_type(C), "presence");

  act(D, "who", R"({"action":"who","room":"kitchen"})");
  EXPECT_EQ(last_type(D), "members");

  act(D, "setname", R"({"action":"setname","name":"david"})");
  EXPECT_EQ(last_type(D), "name");

  act(D, "history", R"({"action":"history","room":"lobby"})");
  EXPECT_EQ(last_type(D), "history");

  act(D, "dm", R"({"action":"dm","to":"carol","message":"psst"})");
  EXPECT_EQ(last_type(C), "dm");

  act(D, "leave", R"({"action":"leave","room":"kitchen"})");
  EXPECT_EQ(last_type(D), "left");

  act(B, "$default", R"({"action":"nope"})");
  EXPECT_EQ(fakes::parse_frame(connections_.posts_to(B).back()).at("code"), "unknown_action");

  // $disconnect leaves the rooms and removes the row.
  dispatch(fakes::disconnect_event(D));
  EXPECT_FALSE(store_.connection(D));
  EXPECT_TRUE(store_.rooms_of(D).empty());
  EXPECT_EQ(last_type(A), "presence");
}

TEST(Router, AddReplacesAnExistingRoute) {
  handlers::Router r;
  int which = 0;
  r.add("x", [&](const apigw::Event&, handlers::Ports&) { which = 1; return apigw::Response{}; });
  r.add("x", [&](const apigw::Event&, handlers::Ports&) { which = 2; return apigw::Response{}; });
  EXPECT_EQ(r.route_keys(), std::vector<std::string>{"x"});
  fakes::FakeStore s;
  fakes::FakeConnections c;
  handlers::Ports p{s.tables(), c};
  (*r.find("x"))(apigw::Event{}, p);
  EXPECT_EQ(which, 2);
}

TEST(Router, EmptyRouterFindsNothing) {
  handlers::Router r;
  EXPECT_EQ(r.find("$default"), nullptr);
  EXPECT_TRUE(r.route_keys().empty());
}

}  // namespace
