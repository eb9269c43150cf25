// Hostile frames through the routes: wrong types for every field, huge numbers, deep nesting,
// huge strings. Each answers the sender exactly one error event (never a throw, never silence),
// and changes nothing.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "chat_fixture.hpp"
#include "handlers/router.hpp"

namespace {

using fakes::message_event;
using fakes::str;
namespace json = boost::json;

const std::set<std::string> codes{"bad_request", "too_long", "bad_name", "bad_room", "not_member",
                                  "unknown_recipient", "unknown_action", "internal"};

// A valid frame per action, and which of its fields are strings and which whole numbers.
struct Action {
  std::string route;
  std::string base;  // a valid body (JSON object text) to corrupt one field of
  std::vector<std::string> string_fields;
  std::vector<std::string> int_fields;  // optional whole numbers: null means absent
};

const std::vector<Action> actions{
    {"sendmessage", R"({"action":"sendmessage","message":"hi","room":"lobby","clientMsgId":"c"})",
     {"message", "room", "clientMsgId"}, {}},
    {"join", R"({"action":"join","room":"kitchen","since":0})", {"room"}, {"since"}},
    {"leave", R"({"action":"leave","room":"lobby"})", {"room"}, {}},
    {"setname", R"({"action":"setname","name":"ann"})", {"name"}, {}},
    {"history", R"({"action":"history","room":"lobby","limit":5})", {"room"}, {"before", "after", "limit"}},
    {"who", R"({"action":"who","room":"lobby"})", {"room"}, {}},
    {"dm", R"({"action":"dm","to":"bob","message":"hi","clientMsgId":"c"})", {"to", "message", "clientMsgId"}, {}},
    {"$default", R"({"action":"default","message":"hi","room":"lobby"})", {"message", "room"}, {}},
};

std::string deep_array(int n) { return std::string(n, '[') + std::string(n, ']'); }
std::string deep_object(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += R"({"a":)";
  s += "1";
  return s + std::string(n, '}');
}

// Values that are neither a string nor a whole number in range.
const std::vector<std::string> not_strings{
    "5", "-1", "1.5", "true", "false", "[]", "{}", R"(["lobby"])", R"({"room":"lobby"})", "1e308",
    "18446744073709551616", "-9223372036854775809", deep_array(20), deep_object(20), deep_array(5000),
    deep_object(5000)};
const std::vector<std::string> not_whole_numbers{
    "-1", "1.5", "true", "false", "\"5\"", "\"\"", "[]", "{}", "[5]", "1e308", "-1e308", "1e999", "-1e999",
    "18446744073709551616", "-9223372036854775809", "0.000001", deep_array(20), deep_array(5000), deep_object(5000)};

std::string with(const std::string& base, const std::string& field, const std::string& value) {
  auto o = json::parse(base).as_object();
  o.erase(field);
  std::string s = json::serialize(o);
  s.pop_back();  // '}'
  return s + (o.empty() ? "\"" : ",\"") + field + "\":" + value + "}";
}

class HostileInput : public fakes::ChatTest {
 protected:
  void SetUp() override {
    ChatTest::SetUp();
    fill("lobby", 3);
  }
  // Sends `body` on `route` as alice and checks: one error event to alice, nothing to anyone
  // else, nothing stored.
  void expect_refused(const std::string& route, const std::string& body) {
    SCOPED_TRACE(route + " " + (body.size() > 160 ? body.substr(0, 160) + "..." : body));
    connections_.clear();
    const auto members = store_.member_count();
    const auto messages = store_.message_count();
    const auto* h = routes_.find(route);
    ASSERT_NE(h, nullptr);
    apigw::Response r;
    EXPECT_NO_THROW(r = (*h)(message_event(A, body, route), ports_));
    EXPECT_EQ(r.status_code, 200);
    const auto posts = connections_.attempts();
    ASSERT_EQ(posts.size(), 1u) << "expected one error event"
                                << (posts.empty() ? "" : ", first: " + posts[0].frame->substr(0, 300));
    EXPECT_EQ(posts[0].connection_id, A);
    ASSERT_EQ(connections_.posts().size(), 1u) << "the error event was not delivered";
    const auto o = fakes::parse_frame(posts[0]);
    EXPECT_EQ(str(o.at("type")), "error") << *posts[0].frame;
    EXPECT_TRUE(codes.count(str(o.at("code")))) << *posts[0].frame;
    if (route != "$default") {
      EXPECT_EQ(str(o.at("action")), route) << *posts[0].frame;
    }
    EXPECT_EQ(store_.member_count(), members);
    EXPECT_EQ(store_.message_count(), messages);
  }
  handlers::Router routes_ = handlers::chat_routes();
};

TEST_F(HostileInput, WrongTypesForEveryStringField) {
  for (const auto& a : actions)
    for (const auto& field : a.string_fields) {
      for (const auto& v : not_strings) expect_refused(a.route, with(a.base, field, v));
      expect_refused(a.route, with(a.base, field, "null"));  // a required string, or a mistyped one
    }
}

TEST_F(HostileInput, WrongTypesForEveryNumberField) {
  for (const auto& a : actions)
    for (const auto& field : a.int_fields)
      for (const auto& v : not_whole_numbers) expect_refused(a.route, with(a.base, field, v));
}

TEST_F(HostileInput, WrongTypesForHelloSince) {
  for (const auto& v : not_strings) {
    if (v == "{}") continue;  // an empty since is a valid since
    expect_refused("hello", with(R"({"action":"hello"})", "since", v));
  }
  for (const auto& v : not_whole_numbers)
    expect_refused("hello", with(R"({"action":"hello"})", "since", R"({"lobby":)" + v + "}"));
}

TEST_F(HostileInput, FramesThatAreNotObjects) {
  auto routes = actions;
  routes.push_back({"hello", "{}", {}, {}});
  for (const auto& a : routes) {
    for (const std::string& body : {std::string(""), std::string("null"), std::string("[]"), std::string("5"),
                                    std::string("\"x\""), deep_array(100000), std::string(100000, '{'),
                                    std::string(R"({"action":)") + deep_array(100000) + "}", deep_object(40)}) {
      expect_refused(a.route, body);
    }
  }
}

// The error names what was refused, but a huge value must not make the error itself too big to
// post (PostToConnection refuses over 128 KB): the sender would get no answer at all.
TEST_F(HostileInput, HugeStringsAreRefusedWithAnErrorThatFits) {
  const std::string huge(apigw::max_post_bytes, 'x');
  expect_refused("sendmessage", with(R"({"action":"sendmessage","message":"hi"})", "room", json::serialize(json::value(huge))));
  expect_refused("who", with(R"({"action":"who"})", "room", json::serialize(json::value(huge))));
  expect_refused("leave", with(R"({"action":"leave"})", "room", json::serialize(json::value(huge))));
  expect_refused("history", with(R"({"action":"history"})", "room", json::serialize(json::value(huge))));
  expect_refused("join", with(R"({"action":"join"})", "room", json::serialize(json::value(huge))));
  expect_refused("setname", with(R"({"action":"setname"})", "name", json::serialize(json::value(huge))));
  expect_refused("dm", with(R"({"action":"dm","message":"hi"})", "to", json::serialize(json::value(huge))));
  expect_refused("sendmessage", with(R"({"action":"sendmessage"})", "message", json::serialize(json::value(huge))));
  expect_refused("$default", with(R"({})", "action", json::serialize(json::value(huge))));
}

// An error echoing part of a value cut short must still be valid UTF-8 (a browser closes the
// socket on a text frame that is not).
TEST_F(HostileInput, ErrorsStayValidUtf8WhenTheyCutAValueShort) {
  std::string text = "ab";  // so that a cut at 64 bytes falls inside a character
  for (int i = 0; i < 3000; ++i) text += "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  const auto quoted = json::serialize(json::value(text));
  for (const auto& [route, body] : std::vector<std::pair<std::string, std::string>>{
           {"$default", with("{}", "action", quoted)},
           {"who", with("{}", "room", quoted)},
           {"leave", with("{}", "room", quoted)},
           {"history", with("{}", "room", quoted)},
           {"dm", with(R"({"message":"hi"})", "to", quoted)},
           {"sendmessage", with(R"({"message":"hi"})", "room", quoted)}}) {
    expect_refused(route, body);
    const auto frame = *connections_.posts().at(0).frame;
    std::size_t i = 0;
    bool valid = true;
    while (i < frame.size() && valid) {
      const auto c = static_cast<unsigned char>(frame[i]);
      const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      valid = n > 0 && i + n <= frame.size();
      for (std::size_t k = 1; valid && k < n; ++k) valid = (static_cast<unsigned char>(frame[i + k]) & 0xC0) == 0x80;
      i += n;
    }
    EXPECT_TRUE(valid) << route << ": invalid UTF-8 at byte " << i;
  }
}

TEST_F(HostileInput, ManyMembersDoNotBreakAnything) {
  json::object o{{"action", "who"}, {"room", "kitchen"}};
  for (int i = 0; i < 1500; ++i) o["k" + std::to_string(i)] = i;
  expect_refused("who", json::serialize(o));  // not_member
}

TEST_F(HostileInput, PingAnswersPongWhateverTheBody) {
  for (const std::string& body : {std::string(""), deep_array(100000), std::string(R"({"action":"ping","x":[[[[1]]]]})")}) {
    connections_.clear();
    EXPECT_NO_THROW((*routes_.find("ping"))(message_event(A, body, "ping"), ports_));
    EXPECT_EQ(types_to(A), std::vector<std::string>{"pong"});
  }
}

}  // namespace
