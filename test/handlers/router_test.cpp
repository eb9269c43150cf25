#include "handlers/router.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "chat_fixture.hpp"

namespace {

using fakes::message_event;

TEST(ChatRoutes, HasExactlyTheApisRoutes) {
  auto keys = handlers::chat_routes().route_keys();
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"$connect", "$default", "$disconnect", "hello", "ping",
                                            "sendmessage"}));
}

TEST(ChatRoutes, FindsEachRouteAndNothingElse) {
  const auto r = handlers::chat_routes();
  for (const char* key : {"$connect", "$disconnect", "$default", "sendmessage", "hello", "ping"}) {
    const auto* h = r.find(key);
    ASSERT_NE(h, nullptr) << key;
    EXPECT_TRUE(static_cast<bool>(*h)) << key;
  }
  for (const char* key : {"", "default", "$DEFAULT", "SendMessage", "sendmessage ", "connect", "$ping"}) {
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
  handlers::Router routes_ = handlers::chat_routes();
};

TEST_F(RoutedChat, EachKeyRunsItsHandler) {
  // $connect stores a row.
  EXPECT_TRUE(dispatch(fakes::connect_event("DDDDddddDDDDddd=", apigw::HeaderMap{{"name", "dave"}})).ok());
  ASSERT_TRUE(store_.connection("DDDDddddDDDDddd="));
  EXPECT_EQ(store_.connection("DDDDddddDDDDddd=")->room, "lobby");

  // ping answers pong.
  dispatch(message_event(A, R"({"action":"ping"})", "ping"));
  EXPECT_EQ(*connections_.posts_to(A).back().frame, R"({"type":"pong"})");

  // hello answers welcome.
  dispatch(message_event(A, R"({"action":"hello"})", "hello"));
  EXPECT_EQ(fakes::parse_frame(connections_.posts_to(A).back()).at("type"), "welcome");

  // sendmessage reaches the room, dave included.
  dispatch(message_event(B, R"({"action":"sendmessage","message":"hi"})", "sendmessage"));
  EXPECT_EQ(fakes::parse_frame(connections_.posts_to("DDDDddddDDDDddd=").back()).at("text"), "hi");

  // $default answers unknown actions.
  dispatch(message_event(B, R"({"action":"nope"})", "$default"));
  EXPECT_EQ(fakes::parse_frame(connections_.posts_to(B).back()).at("code"), "unknown_action");

  // $disconnect removes the row.
  dispatch(fakes::disconnect_event("DDDDddddDDDDddd="));
  EXPECT_FALSE(store_.connection("DDDDddddDDDDddd="));
}

TEST(Router, AddReplacesAnExistingRoute) {
  handlers::Router r;
  int which = 0;
  r.add("x", [&](const apigw::Event&, handlers::Ports&) { which = 1; return apigw::Response{}; });
  r.add("x", [&](const apigw::Event&, handlers::Ports&) { which = 2; return apigw::Response{}; });
  EXPECT_EQ(r.route_keys(), std::vector<std::string>{"x"});
  fakes::FakeStore s;
  fakes::FakeConnections c;
  handlers::Ports p{s, c};
  (*r.find("x"))(apigw::Event{}, p);
  EXPECT_EQ(which, 2);
}

TEST(Router, EmptyRouterFindsNothing) {
  handlers::Router r;
  EXPECT_EQ(r.find("$default"), nullptr);
  EXPECT_TRUE(r.route_keys().empty());
}

}  // namespace
