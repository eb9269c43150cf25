#pragma once
// A fixture for handler tests: the two fakes, Ports over them, builders for the events API
// Gateway would send, and readers for the events the handlers post.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <optional>
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

inline std::string body(const boost::json::object& o) { return boost::json::serialize(o); }

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

inline std::string str(const boost::json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : boost::json::serialize(v);
}

inline std::int64_t num(const boost::json::value& v) {
  EXPECT_TRUE(v.is_int64() || v.is_uint64()) << boost::json::serialize(v);
  return v.is_number() ? v.to_number<std::int64_t>() : -1;
}

// The seqs of a history event's messages.
inline std::vector<std::int64_t> seqs_of(const boost::json::object& history) {
  std::vector<std::int64_t> out;
  for (const auto& m : history.at("messages").as_array()) out.push_back(num(m.at("seq")));
  return out;
}

inline std::vector<std::int64_t> range(std::int64_t first, std::int64_t last) {
  std::vector<std::int64_t> out;
  for (auto i = first; i <= last; ++i) out.push_back(i);
  return out;
}

// Three clients: alice (A) and bob (B) in lobby, carol (C) in kitchen; each one's home room is
// the room it is in. The member rows are old (joined at `connected_at`), so a member a post
// finds gone is past the 30 s grace.
class ChatTest : public ::testing::Test {
 protected:
  static constexpr const char* A = "AAAAaaaaAAAAaaa=";
  static constexpr const char* B = "BBBBbbbbBBBBbbb=";
  static constexpr const char* C = "CCCCccccCCCCccc=";
  static constexpr const char* D = "DDDDddddDDDDddd=";  // not connected unless a test says so

  void SetUp() override {
    seed(A, "alice", "lobby");
    seed(B, "bob", "lobby");
    seed(C, "carol", "kitchen");
  }

  // Each seeded connection's user id: "u-" + the first 4 characters of its connection id
  // ("u-AAAA" for alice), so the pair alice/bob's dm room is "dmu:u-AAAA:u-BBBB".
  static std::string user_of(const std::string& connection_id) { return "u-" + connection_id.substr(0, 4); }

  // A connection row with `home_room` and its member row there.
  void seed(const std::string& id, const std::string& name, const std::string& home_room,
            std::int64_t since = -1) {
    store::Connection c;
    c.connection_id = id;
    c.name = name;
    c.home_room = home_room;
    c.since = since;
    c.connected_at = connected_at;
    c.user_id = user_of(id);
    ASSERT_TRUE(store_.put_connection(c));
    add_member(id, home_room, name);
  }

  // A member row only (the connection is also in `room`, shown as `name`).
  void add_member(const std::string& id, const std::string& room, const std::string& name,
                  std::int64_t joined_at = connected_at) {
    store::Member m;
    m.room = room;
    m.connection_id = id;
    m.name = name;
    m.joined_at = joined_at;
    m.user_id = user_of(id);
    ASSERT_TRUE(store_.put_member(m));
  }

  // Appends n messages from alice to `room` ("0".."n-1"), bypassing the handlers.
  void fill(const std::string& room, int n, const std::string& sender = A,
            const std::string& name = "alice") {
    for (int i = 0; i < n; ++i) {
      store::Message m;
      m.room = room;
      m.id = "id-" + room + "-" + std::to_string(i);
      m.sender = sender;
      m.name = name;
      m.text = std::to_string(i);
      m.ts = connected_at + i;
      ASSERT_TRUE(store_.append_message(m));
    }
  }

  // Every event posted to `id`, parsed, in order.
  std::vector<boost::json::object> events_to(const std::string& id) const {
    std::vector<boost::json::object> out;
    for (const auto& p : connections_.posts_to(id)) out.push_back(parse_frame(p));
    return out;
  }
  // The types of the events posted to `id`, in order.
  std::vector<std::string> types_to(const std::string& id) const {
    std::vector<std::string> out;
    for (const auto& e : events_to(id)) out.push_back(str(e.at("type")));
    return out;
  }

  // The single event posted to `id`, parsed; fails the test unless there is exactly one.
  boost::json::object only_event_to(const std::string& id) const {
    const auto posts = connections_.posts_to(id);
    EXPECT_EQ(posts.size(), 1u) << "posts to " << id;
    if (posts.size() != 1) return {};
    return parse_frame(posts.front());
  }

  // Checks an error event: type, code, a non-empty message, the action ("" = no action member)
  // and the clientMsgId ("" = none), and no other member.
  static void expect_error(const boost::json::object& o, const std::string& code,
                           const std::string& action, const std::string& client_msg_id = "") {
    std::set<std::string> want{"type", "code", "message"};
    if (!action.empty()) want.insert("action");
    if (!client_msg_id.empty()) want.insert("clientMsgId");
    EXPECT_EQ(keys(o), want) << boost::json::serialize(o);
    EXPECT_EQ(str(o.at("type")), "error");
    EXPECT_EQ(str(o.at("code")), code) << boost::json::serialize(o);
    ASSERT_TRUE(o.at("message").is_string());
    EXPECT_FALSE(o.at("message").get_string().empty());
    if (!action.empty()) {
      EXPECT_EQ(str(o.at("action")), action);
    }
    if (!client_msg_id.empty()) {
      EXPECT_EQ(str(o.at("clientMsgId")), client_msg_id);
    }
  }

  // Asserts that the sender got exactly one error event with `code` (and `action`), and nobody
  // anything else.
  void expect_only_error_to(const std::string& id, const std::string& code,
                            const std::string& action, const std::string& client_msg_id = "") {
    const auto posts = connections_.posts();
    ASSERT_EQ(posts.size(), 1u) << "expected exactly one post, the error event"
                                << (posts.empty() ? "" : ": " + *posts[0].frame);
    EXPECT_EQ(posts[0].connection_id, id);
    expect_error(parse_frame(posts[0]), code, action, client_msg_id);
  }

  FakeStore store_;
  FakeConnections connections_;
  handlers::Ports ports_{store_.tables(), connections_};
};

}  // namespace fakes
