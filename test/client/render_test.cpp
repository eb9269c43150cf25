#include "client/render.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace {

using client::Renderer;
namespace json = boost::json;

// 2025-02-01 12:03:20 UTC
constexpr std::int64_t ts = 1738411400000;

json::object parse(const char* text) { return json::parse(text).as_object(); }

TEST(Render, Message) {
  Renderer r(true);
  json::object m{{"type", "message"}, {"room", "lobby"}, {"seq", 1}, {"ts", ts},
                 {"name", "ann"}, {"text", "hi"}};
  EXPECT_EQ(r.line(m), "[12:03] #lobby ann: hi");
  EXPECT_EQ(r.message(m), "[12:03] #lobby ann: hi");
}

TEST(Render, DirectMessage) {
  Renderer r(true);
  json::object m{{"type", "dm"}, {"room", "dmu:g_ann:g_bob"}, {"seq", 1}, {"ts", ts + 60000},
                 {"name", "ann"}, {"to", "bob"}, {"text", "psst"}};
  EXPECT_EQ(r.line(m), "[12:04] ann → bob: psst");
}

TEST(Render, Presence) {
  Renderer r(true);
  EXPECT_EQ(r.line(parse(R"({"type":"presence","room":"lobby","event":"join","name":"bob"})")),
            "* bob joined #lobby");
  EXPECT_EQ(r.line(parse(R"({"type":"presence","room":"lobby","event":"leave","name":"bob"})")),
            "* bob left #lobby");
  EXPECT_EQ(r.line(parse(
                R"({"type":"presence","room":"dev","event":"rename","name":"rob","oldName":"bob"})")),
            "* bob is now rob in #dev");
}

TEST(Render, Error) {
  Renderer r(true);
  EXPECT_EQ(r.line(parse(R"({"type":"error","code":"not_member","message":"you are not in room \"dev\"","action":"sendmessage"})")),
            R"(! not_member: you are not in room "dev")");
}

TEST(Render, RoomEvents) {
  Renderer r(true);
  EXPECT_EQ(r.line(parse(R"({"type":"welcome","connectionId":"x","name":"ann","rooms":["lobby","dev"]})")),
            "* connected as ann in #lobby, #dev");
  EXPECT_EQ(r.line(parse(R"({"type":"joined","room":"dev","name":"ann","lastSeq":0})")),
            "* you joined #dev as ann");
  EXPECT_EQ(r.line(parse(R"({"type":"left","room":"dev"})")), "* you left #dev");
  EXPECT_EQ(r.line(parse(R"({"type":"name","name":"ann","rooms":{"lobby":"ann","dev":"ann-R1km"}})")),
            "* you are now ann; in #dev ann-R1km");
  EXPECT_EQ(r.line(parse(R"({"type":"members","room":"lobby","members":[{"name":"ann"},{"name":"bob"}]})")),
            "* #lobby (2): ann, bob");
}

TEST(Render, QuietEvents) {
  Renderer r(true);
  EXPECT_FALSE(r.line(parse(R"({"type":"ack","id":"x","seq":1,"room":"lobby"})")));
  EXPECT_FALSE(r.line(parse(R"({"type":"pong"})")));
  EXPECT_FALSE(r.line(parse(R"({"type":"history","room":"lobby","messages":[]})")));
  EXPECT_FALSE(r.line(parse(R"({"type":"something-new"})")));
}

TEST(Render, GatewayFrame) {
  Renderer r(true);
  EXPECT_EQ(r.line(parse(R"({"message":"Internal server error","connectionId":"x","requestId":"y"})")),
            "! server: Internal server error");
}

TEST(Render, ControlCharactersAreDefused) {
  Renderer r(true);
  json::object m{{"type", "message"}, {"room", "lobby"}, {"ts", ts}, {"name", "e\x1b[2Jvil"},
                 {"text", "a\tb\x07\xc2\x9b" "c"}};
  EXPECT_EQ(r.line(m), "[12:03] #lobby e?[2Jvil: a b??c");
}

TEST(Render, NonAsciiTextIsKept) {
  Renderer r(true);
  json::object m{{"type", "message"}, {"room", "lobby"}, {"ts", ts}, {"name", "zoë"},
                 {"text", "héllo ✓"}};
  EXPECT_EQ(r.line(m), "[12:03] #lobby zoë: héllo ✓");
}

}  // namespace
