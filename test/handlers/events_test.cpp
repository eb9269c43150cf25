#include "handlers/events.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <set>
#include <string>

namespace {

namespace json = boost::json;
namespace events = handlers::events;

std::set<std::string> keys(const json::object& o) {
  std::set<std::string> out;
  for (const auto& kv : o) out.insert(std::string(kv.key()));
  return out;
}

json::object parse(const std::string& s) { return json::parse(s).as_object(); }

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

const std::set<std::string> message_keys{"type", "room", "seq", "id", "ts", "connectionId", "name", "text"};

TEST(MessageEvent, HasTheProtocolFields) {
  const auto o = parse(events::message(sample()));
  EXPECT_EQ(keys(o), message_keys);
  EXPECT_EQ(o.at("type"), "message");
  EXPECT_EQ(o.at("room"), "lobby");
  ASSERT_TRUE(o.at("seq").is_int64());
  EXPECT_EQ(o.at("seq").get_int64(), 17);
  EXPECT_EQ(o.at("id"), "0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(o.at("ts").is_int64());
  EXPECT_EQ(o.at("ts").get_int64(), 1738404000123);
  EXPECT_EQ(o.at("connectionId"), "Xq1aAbCdEfGhIjA=");
  EXPECT_EQ(o.at("name"), "alice");
  EXPECT_EQ(o.at("text"), "hi \"there\"\n\xF0\x9F\x98\x80");
}

TEST(MessageEvent, AddsClientMsgIdWhenGiven) {
  auto m = sample();
  m.client_msg_id = "c-1";
  const auto o = parse(events::message(m));
  EXPECT_EQ(o.at("clientMsgId"), "c-1");
  EXPECT_EQ(o.size(), 9u);
}

TEST(MessageEvent, ADirectMessageIsTypeDmWithTo) {
  auto m = sample();
  m.room = "dm:alice:bob";
  m.to = "bob";
  const auto o = parse(events::message(m));
  auto want = message_keys;
  want.insert("to");
  EXPECT_EQ(keys(o), want);
  EXPECT_EQ(o.at("type"), "dm");
  EXPECT_EQ(o.at("to"), "bob");
  EXPECT_EQ(o.at("room"), "dm:alice:bob");
}

TEST(MessageEvent, ObjectAndStringAgree) {
  auto m = sample();
  m.client_msg_id = "k";
  EXPECT_EQ(json::serialize(events::message_object(m)), events::message(m));
}

TEST(AckEvent, HasIdSeqRoomDuplicateAndClientMsgId) {
  auto m = sample();
  m.client_msg_id = "c-1";
  const auto o = parse(events::ack(store::Appended{m, false}));
  EXPECT_EQ(keys(o), (std::set<std::string>{"type", "clientMsgId", "id", "seq", "room", "duplicate"}));
  EXPECT_EQ(o.at("type"), "ack");
  EXPECT_EQ(o.at("clientMsgId"), "c-1");
  EXPECT_EQ(o.at("id"), m.id.c_str());
  EXPECT_EQ(o.at("seq").as_int64(), 17);
  EXPECT_EQ(o.at("room"), "lobby");
  EXPECT_EQ(o.at("duplicate"), false);
  EXPECT_EQ(parse(events::ack(store::Appended{m, true})).at("duplicate"), true);
}

TEST(AckEvent, WithoutClientMsgIdHasNone) {
  const auto o = parse(events::ack(store::Appended{sample(), false}));
  EXPECT_EQ(keys(o), (std::set<std::string>{"type", "id", "seq", "room", "duplicate"}));
}

TEST(HistoryEvent, ListsMessagesOldestFirstWithHasMoreAndLastSeq) {
  auto a = sample();
  auto b = sample();
  b.seq = 18;
  b.to = "bob";
  b.room = "lobby";
  const auto o = parse(events::history("lobby", {a, b}, true, 20));
  EXPECT_EQ(keys(o), (std::set<std::string>{"type", "room", "messages", "hasMore", "lastSeq"}));
  EXPECT_EQ(o.at("type"), "history");
  EXPECT_EQ(o.at("room"), "lobby");
  EXPECT_EQ(o.at("hasMore"), true);
  EXPECT_EQ(o.at("lastSeq").as_int64(), 20);
  const auto& ms = o.at("messages").as_array();
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(ms[0].as_object(), events::message_object(a));
  EXPECT_EQ(ms[1].as_object(), events::message_object(b));
  EXPECT_EQ(ms[1].at("type"), "dm");
}

TEST(HistoryEvent, EmptyHistory) {
  const auto o = parse(events::history("kitchen", {}, false, 0));
  EXPECT_TRUE(o.at("messages").as_array().empty());
  EXPECT_EQ(o.at("hasMore"), false);
  EXPECT_EQ(o.at("lastSeq").as_int64(), 0);
}

TEST(WelcomeEvent, HasConnectionIdNameAndRooms) {
  store::Connection c;
  c.connection_id = "Xq1aAbCdEfGhIjA=";
  c.name = "bob";
  c.home_room = "kitchen";
  c.gateway = "http://node";
  const auto o = parse(events::welcome(c, {"kitchen", "attic"}));
  EXPECT_EQ(keys(o), (std::set<std::string>{"type", "connectionId", "name", "rooms"}));
  EXPECT_EQ(o.at("type"), "welcome");
  EXPECT_EQ(o.at("connectionId"), "Xq1aAbCdEfGhIjA=");
  EXPECT_EQ(o.at("name"), "bob");
  EXPECT_EQ(o.at("rooms"), (json::array{"kitchen", "attic"}));
  EXPECT_EQ(parse(events::welcome(c, {})).at("rooms"), json::array{});
}

TEST(JoinedEvent, HasRoomNameAndLastSeq) {
  const auto o = parse(events::joined(store::Member{"dev", "X=", "ann-X", 5, 6}, 12));
  EXPECT_EQ(keys(o), (std::set<std::string>{"type", "room", "name", "lastSeq"}));
  EXPECT_EQ(o.at("type"), "joined");
  EXPECT_EQ(o.at("room"), "dev");
  EXPECT_EQ(o.at("name"), "ann-X");
  EXPECT_EQ(o.at("lastSeq").as_int64(), 12);
}

TEST(LeftEvent, HasRoom) {
  EXPECT_EQ(parse(events::left("dev")), (json::object{{"type", "left"}, {"room", "dev"}}));
}

TEST(NameEvent, HasNameAndTheNamePerRoom) {
  const auto o = parse(events::name("ann", {{"lobby", "ann"}, {"dev", "ann-R1km"}}));
  EXPECT_EQ(o, (json::object{{"type", "name"},
                             {"name", "ann"},
                             {"rooms", json::object{{"lobby", "ann"}, {"dev", "ann-R1km"}}}}));
  EXPECT_EQ(parse(events::name("ann", {})).at("rooms"), json::object{});
}

TEST(PresenceEvent, JoinAndLeaveHaveNoOldName) {
  const store::Member m{"lobby", "Mg_ugfpqPHcCIVA=", "bob", 5, 6};
  for (const char* ev : {"join", "leave"}) {
    const auto o = parse(events::presence(m, ev));
    EXPECT_EQ(o, (json::object{{"type", "presence"},
                               {"room", "lobby"},
                               {"event", ev},
                               {"name", "bob"},
                               {"connectionId", "Mg_ugfpqPHcCIVA="}}));
  }
}

TEST(PresenceEvent, RenameHasOldName) {
  const store::Member m{"lobby", "Mg_ugfpqPHcCIVA=", "robert", 5, 6};
  const auto o = parse(events::presence(m, "rename", "bob"));
  EXPECT_EQ(o.at("event"), "rename");
  EXPECT_EQ(o.at("name"), "robert");
  EXPECT_EQ(o.at("oldName"), "bob");
  EXPECT_EQ(o.size(), 6u);
}

TEST(MembersEvent, ListsNameConnectionIdAndJoinedAtAndTheCount) {
  const auto o = parse(events::members(
      "lobby", {store::Member{"lobby", "A=", "ann", 1738404000000, 9}, store::Member{"lobby", "B=", "bob", 7, 9}},
      1500));
  EXPECT_EQ(keys(o), (std::set<std::string>{"type", "room", "members", "count"}));
  EXPECT_EQ(o.at("count"), 1500);
  EXPECT_EQ(o.at("type"), "members");
  EXPECT_EQ(o.at("room"), "lobby");
  EXPECT_EQ(o.at("members"),
            (json::array{json::object{{"name", "ann"}, {"connectionId", "A="}, {"joinedAt", 1738404000000}},
                         json::object{{"name", "bob"}, {"connectionId", "B="}, {"joinedAt", 7}}}));
}

TEST(ErrorEvent, HasTypeCodeAndMessage) {
  const auto o = parse(events::error("too_long", "\"message\" is too long"));
  EXPECT_EQ(keys(o), (std::set<std::string>{"type", "code", "message"}));
  EXPECT_EQ(o.at("type"), "error");
  EXPECT_EQ(o.at("code"), "too_long");
  EXPECT_EQ(o.at("message"), "\"message\" is too long");
}

TEST(ErrorEvent, AddsActionAndClientMsgIdWhenKnown) {
  const auto o = parse(events::error("not_member", "no", "sendmessage", "c1"));
  EXPECT_EQ(o, (json::object{{"type", "error"},
                             {"code", "not_member"},
                             {"message", "no"},
                             {"action", "sendmessage"},
                             {"clientMsgId", "c1"}}));
  EXPECT_EQ(keys(parse(events::error("bad_request", "no", "join"))),
            (std::set<std::string>{"type", "code", "message", "action"}));
}

TEST(PongEvent, IsJustTheType) { EXPECT_EQ(events::pong(), R"({"type":"pong"})"); }

}  // namespace
