#pragma once
// A fixture for handler tests: the two fakes, Ports over them, and builders for the events
// API Gateway would send.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "apigw/ws_event.hpp"
#include "fake_connections.hpp"
#include "fake_store.hpp"
#include "handlers/ports.hpp"

namespace fakes {

inline constexpr std::int64_t connected_at = 1738404000000;  // 2025-02-01T10:00:00Z

inline apigw::Event event(std::string route_key, apigw::EventType type, std::string connection_id) {
  apigw::Event e;
  auto& c = e.request_context;
  c.route_key = std::move(route_key);
  c.event_type = type;
  c.connection_id = std::move(connection_id);
  c.request_id = "Req1aBcDeFgHiJk=";
  c.request_time = "01/Feb/2025:10:00:00 +0000";
  c.request_time_epoch = connected_at + 12;
  c.connected_at = connected_at;
  c.stage = "dev";
  c.domain_name = "localhost:8080";
  c.api_id = "abcdefghij";
  c.identity.source_ip = "127.0.0.1";
  return e;
}

// CONNECT; `query` nullopt means the URL had no query string.
inline apigw::Event connect_event(std::string connection_id,
                                  std::optional<apigw::HeaderMap> query = std::nullopt) {
  auto e = event("$connect", apigw::EventType::connect, std::move(connection_id));
  e.headers = apigw::HeaderMap{{"Host", "localhost:8080"}, {"Sec-WebSocket-Version", "13"}};
  e.query_string_parameters = std::move(query);
  return e;
}

inline apigw::Event message_event(std::string connection_id, std::optional<std::string> body,
                                  std::string route_key = "sendmessage") {
  auto e = event(std::move(route_key), apigw::EventType::message, std::move(connection_id));
  e.request_context.message_id = "Msg1aBcDeFgHiJk=";
  e.body = std::move(body);
  return e;
}

inline apigw::Event disconnect_event(std::string connection_id) {
  auto e = event("$disconnect", apigw::EventType::disconnect, std::move(connection_id));
  e.request_context.disconnect_status_code = 1000;
  e.request_context.disconnect_reason = "";
  return e;
}

inline boost::json::object parse_frame(const FakeConnections::Post& p) {
  EXPECT_TRUE(p.frame) << "null frame posted";
  if (!p.frame) return {};
  boost::system::error_code ec;
  auto v = boost::json::parse(*p.frame, ec);
  EXPECT_FALSE(ec) << "frame is not JSON: " << *p.frame;
  EXPECT_TRUE(v.is_object()) << *p.frame;
  return v.is_object() ? v.get_object() : boost::json::object{};
}

inline std::set<std::string> keys(const boost::json::object& o) {
  std::set<std::string> out;
  for (const auto& kv : o) out.insert(std::string(kv.key()));
  return out;
}

// Three clients: alice (A) and bob (B) in lobby, carol (C) in kitchen.
class ChatTest : public ::testing::Test {
 protected:
  static constexpr const char* A = "AAAAaaaaAAAAaaa=";
  static constexpr const char* B = "BBBBbbbbBBBBbbb=";
  static constexpr const char* C = "CCCCccccCCCCccc=";

  void SetUp() override {
    seed(A, "lobby", "alice");
    seed(B, "lobby", "bob");
    seed(C, "kitchen", "carol");
  }

  void seed(const std::string& id, const std::string& room, const std::string& name) {
    store::Connection c;
    c.connection_id = id;
    c.room = room;
    c.name = name;
    c.connected_at = connected_at;
    ASSERT_TRUE(store_.put_connection(c));
  }

  // The single event posted to `id`, parsed; fails the test unless there is exactly one.
  boost::json::object only_event_to(const std::string& id) {
    const auto posts = connections_.posts_to(id);
    EXPECT_EQ(posts.size(), 1u) << "posts to " << id;
    if (posts.size() != 1) return {};
    return parse_frame(posts.front());
  }

  // Asserts that the sender got exactly one error event with `code`, and nobody anything else.
  void expect_only_error_to(const std::string& id, const std::string& code) {
    const auto posts = connections_.posts();
    ASSERT_EQ(posts.size(), 1u) << "expected exactly one post, the error event";
    EXPECT_EQ(posts[0].connection_id, id);
    const auto o = parse_frame(posts[0]);
    EXPECT_EQ(keys(o), (std::set<std::string>{"type", "code", "message"})) << *posts[0].frame;
    EXPECT_EQ(o.at("type"), "error") << *posts[0].frame;
    EXPECT_EQ(o.at("code"), code.c_str()) << *posts[0].frame;
    ASSERT_TRUE(o.at("message").is_string());
    EXPECT_FALSE(o.at("message").get_string().empty());
  }

  FakeStore store_;
  FakeConnections connections_;
  handlers::Ports ports_{store_, connections_};
};

}  // namespace fakes
