#include "handlers/events.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <set>
#include <string>

namespace {

namespace json = boost::json;

std::set<std::string> keys(const json::object& o) {
  std::set<std::string> out;
  for (const auto& kv : o) out.insert(std::string(kv.key()));
  return out;
}

store::Message sample() {
  store::Message m;
  m.room = "lobby";
  m.seq = 17;
  m.id = "0123456789abcdef0123456789abcdef";
  m.sender = "Xq1aAbCdEfGhIjA=";
  m.name = "alice";
  m.text = "hi \"there\"\n\xF0\x9F\x98\x80";
  m.ts = 1738404000123;
  m.ttl = 99;
  return m;
}

TEST(MessageEvent, HasTheProtocolFields) {
  const auto o = json::parse(handlers::events::message(sample(), "")).as_object();
  EXPECT_EQ(keys(o), (std::set<std::string>{"type", "room", "seq", "id", "ts", "connectionId", "name", "text"}));
  EXPECT_EQ(o.at("type"), "message");
  EXPECT_EQ(o.at("room"), "lobby");
  ASSERT_TRUE(o.at("seq").is_number());
  EXPECT_EQ(o.at("seq").to_number<int>(), 17);
  EXPECT_EQ(o.at("id"), "0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(o.at("ts").is_number());
  EXPECT_EQ(o.at("ts").to_number<std::int64_t>(), 1738404000123);
  EXPECT_EQ(o.at("connectionId"), "Xq1aAbCdEfGhIjA=");
  EXPECT_EQ(o.at("name"), "alice");
  EXPECT_EQ(o.at("text"), "hi \"there\"\n\xF0\x9F\x98\x80");
}

TEST(MessageEvent, AddsClientMsgIdWhenGiven) {
  const auto o = json::parse(handlers::events::message(sample(), "c-1")).as_object();
  EXPECT_EQ(o.at("clientMsgId"), "c-1");
  EXPECT_EQ(o.size(), 9u);
}

TEST(ErrorEvent, HasTypeCodeAndMessage) {
  const auto o = json::parse(handlers::events::error("too_long", "\"message\" is too long")).as_object();
  EXPECT_EQ(keys(o), (std::set<std::string>{"type", "code", "message"}));
  EXPECT_EQ(o.at("type"), "error");
  EXPECT_EQ(o.at("code"), "too_long");
  EXPECT_EQ(o.at("message"), "\"message\" is too long");
}

TEST(WelcomeEvent, HasConnectionIdNameAndRoom) {
  store::Connection c{"Xq1aAbCdEfGhIjA=", "kitchen", "bob", 1, "http://node", 2};
  const auto o = json::parse(handlers::events::welcome(c)).as_object();
  EXPECT_EQ(keys(o), (std::set<std::string>{"type", "connectionId", "name", "room"}));
  EXPECT_EQ(o.at("type"), "welcome");
  EXPECT_EQ(o.at("connectionId"), "Xq1aAbCdEfGhIjA=");
  EXPECT_EQ(o.at("name"), "bob");
  EXPECT_EQ(o.at("room"), "kitchen");
}

TEST(PongEvent, IsJustTheType) { EXPECT_EQ(handlers::events::pong(), R"({"type":"pong"})"); }

}  // namespace
