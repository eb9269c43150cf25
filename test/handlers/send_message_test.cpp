#include "handlers/send_message.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "chat_fixture.hpp"
#include "core/clock.hpp"
#include "handlers/rooms.hpp"

namespace {

using fakes::message_event;
using fakes::num;
using fakes::str;
using Op = fakes::FakeStore::Op;
namespace json = boost::json;

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

std::string body_with(std::string_view message) {
  return json::serialize(json::object{{"action", "sendmessage"}, {"message", message}});
}

const std::set<std::string> message_keys{"type", "room", "seq", "id", "ts", "connectionId", "name", "userId", "text"};

class SendMessage : public fakes::ChatTest {
 protected:
  apigw::Response send(const std::string& from, std::optional<std::string> body) {
    return handlers::send_message(message_event(from, std::move(body)), ports_);
  }
  apigw::Response send(const std::string& from, const json::object& body) {
    return send(from, fakes::body(body));
  }
};

TEST_F(SendMessage, StoresTheMessageInTheSendersHomeRoom) {
  const auto before = core::now_ms();
  const auto r = send(A, R"({"action":"sendmessage","message":"hi"})");
  const auto after = core::now_ms();
  EXPECT_EQ(r.status_code, 200);
  const auto ms = store_.messages("lobby");
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].room, "lobby");
  EXPECT_EQ(ms[0].seq, 1);
  EXPECT_EQ(ms[0].sender, A);
  EXPECT_EQ(ms[0].name, "alice");
  EXPECT_EQ(ms[0].text, "hi");
  EXPECT_EQ(ms[0].id.size(), 32u);
  EXPECT_EQ(ms[0].client_msg_id, "");
  EXPECT_EQ(ms[0].to, "");
  EXPECT_GE(ms[0].ts, before);
  EXPECT_LE(ms[0].ts, after);
  EXPECT_EQ(store_.message_count(), 1u);
}

// Issue 15, item 3: carol joins lobby after alice's send read the room and before it stored the
// message. Her join's history was read before the message existed, so only the live message
// can bring it: she must be among its recipients (read after the append).
TEST_F(SendMessage, AMemberWhoJoinsWhileTheMessageIsBeingSentGetsIt) {
  bool joined = false;
  store_.before(Op::append_message, [&] {
    if (joined) return;
    joined = true;
    handlers::join(message_event(C, std::string(R"({"action":"join","room":"lobby"})"), "join"),
                   ports_);
  });
  send(A, R"({"action":"sendmessage","message":"hi"})");
  ASSERT_TRUE(joined);
  int shown = 0;
  for (const auto& e : events_to(C)) {
    if (e.at("type") == "message" && e.at("text") == "hi") ++shown;
    if (e.at("type") == "history" && e.at("room") == "lobby")
      for (const auto& m : e.at("messages").as_array()) shown += m.at("text") == "hi" ? 1 : 0;
  }
  EXPECT_EQ(shown, 1) << "carol saw alice's message " << shown << " times";
}

TEST_F(SendMessage, AcksTheSenderBeforeTheMessage) {
  send(A, R"({"action":"sendmessage","message":"hi","clientMsgId":"c1"})");
  const auto to_a = events_to(A);
  ASSERT_EQ(to_a.size(), 2u);
  const auto m = store_.messages("lobby").at(0);
  EXPECT_EQ(to_a[0], (json::object{{"type", "ack"},
                                   {"clientMsgId", "c1"},
                                   {"id", m.id},
                                   {"seq", 1},
                                   {"room", "lobby"},
                                   {"duplicate", false}}));
  EXPECT_EQ(str(to_a[1].at("type")), "message");
}

TEST_F(SendMessage, AckWithoutClientMsgIdHasNone) {
  send(A, R"({"action":"sendmessage","message":"hi"})");
  const auto ack = events_to(A).at(0);
  EXPECT_EQ(fakes::keys(ack), (std::set<std::string>{"type", "id", "seq", "room", "duplicate"}));
}

TEST_F(SendMessage, PostsOneSharedFrameToEveryRoomMemberIncludingTheSender) {
  send(A, R"({"action":"sendmessage","message":"hi"})");
  const auto to_a = connections_.posts_to(A);
  const auto to_b = connections_.posts_to(B);
  ASSERT_EQ(to_a.size(), 2u);  // ack, message
  ASSERT_EQ(to_b.size(), 1u);
  EXPECT_EQ(to_a[1].frame.get(), to_b[0].frame.get()) << "the broadcast must be encoded once";
  EXPECT_EQ(connections_.posts().size(), 3u);
  // A message is waited for: it never lingers.
  for (const auto& p : connections_.posts()) EXPECT_FALSE(p.options.linger);
}

TEST_F(SendMessage, MembersOfOtherRoomsGetNothing) {
  send(A, R"({"action":"sendmessage","message":"hi"})");
  EXPECT_TRUE(connections_.posts_to(C).empty());
  EXPECT_TRUE(store_.messages("kitchen").empty());
  send(C, R"({"action":"sendmessage","message":"only kitchen"})");
  EXPECT_EQ(types_to(C), (std::vector<std::string>{"ack", "message"}));
  EXPECT_EQ(connections_.posts_to(A).size(), 2u);  // still just the first message
  EXPECT_EQ(connections_.posts_to(B).size(), 1u);
}

TEST_F(SendMessage, FrameHasTheMessageEventFields) {
  send(A, R"({"action":"sendmessage","message":"hi"})");
  const auto o = only_event_to(B);
  EXPECT_EQ(fakes::keys(o), message_keys);
  const auto m = store_.messages("lobby").at(0);
  EXPECT_EQ(o.at("type"), "message");
  EXPECT_EQ(o.at("room"), "lobby");
  EXPECT_EQ(num(o.at("seq")), 1);
  EXPECT_EQ(o.at("id"), m.id.c_str());
  EXPECT_EQ(num(o.at("ts")), m.ts);
  EXPECT_EQ(o.at("connectionId"), A);
  EXPECT_EQ(o.at("name"), "alice");
  EXPECT_EQ(o.at("userId"), "u-AAAA");  // the sender's identity, stored with the message
  EXPECT_EQ(m.user_id, "u-AAAA");
  EXPECT_EQ(o.at("text"), "hi");
}

TEST_F(SendMessage, FrameCarriesClientMsgIdWhenGiven) {
  send(A, R"({"action":"sendmessage","message":"hi","clientMsgId":"c-123"})");
  const auto o = only_event_to(B);
  EXPECT_EQ(o.at("clientMsgId"), "c-123");
  EXPECT_EQ(fakes::keys(o).size(), 10u);
  EXPECT_EQ(store_.messages("lobby").at(0).client_msg_id, "c-123");
}

TEST_F(SendMessage, ClientMsgIdOf64IsAccepted) {
  const auto id = std::string(64, 'k');
  send(A, json::object{{"action", "sendmessage"}, {"message", "hi"}, {"clientMsgId", id}});
  EXPECT_EQ(only_event_to(B).at("clientMsgId"), id.c_str());
}

TEST_F(SendMessage, TheNameIsTheOneShownInThatRoom) {
  add_member(A, "kitchen", "alice-AAAA");
  send(A, R"({"action":"sendmessage","message":"hi","room":"kitchen"})");
  EXPECT_EQ(str(only_event_to(C).at("name")), "alice-AAAA");
  EXPECT_EQ(store_.messages("kitchen").at(0).name, "alice-AAAA");
}

TEST_F(SendMessage, StoresBeforeAnyoneSeesIt) {
  std::vector<std::size_t> stored_at_post;
  connections_.on_post([&](const fakes::FakeConnections::Post&) {
    stored_at_post.push_back(store_.message_count());
  });
  send(A, R"({"action":"sendmessage","message":"hi"})");
  EXPECT_EQ(stored_at_post, (std::vector<std::size_t>{1, 1, 1}));
}

TEST_F(SendMessage, SeqIncreasesPerRoom) {
  send(A, R"({"action":"sendmessage","message":"one"})");
  send(B, R"({"action":"sendmessage","message":"two"})");
  send(C, R"({"action":"sendmessage","message":"kitchen one"})");
  const auto to_a = events_to(A);
  ASSERT_EQ(to_a.size(), 3u);  // ack 1, message 1, message 2
  EXPECT_EQ(num(to_a[1].at("seq")), 1);
  EXPECT_EQ(num(to_a[2].at("seq")), 2);
  EXPECT_EQ(to_a[2].at("name"), "bob");
  EXPECT_EQ(num(events_to(C).at(1).at("seq")), 1);
}

TEST_F(SendMessage, TextIsDeliveredExactly) {
  const std::string text = "quotes \" backslash \\ newline \n tab \t emoji \xF0\x9F\x98\x80 </script>";
  send(A, body_with(text));
  EXPECT_EQ(only_event_to(B).at("text"), text.c_str());
  EXPECT_EQ(store_.messages("lobby").at(0).text, text);
}

// ---- the room ----

TEST_F(SendMessage, GoesToTheRoomGiven) {
  add_member(A, "kitchen", "alice");
  send(A, R"({"action":"sendmessage","message":"hi","room":"kitchen"})");
  ASSERT_EQ(store_.messages("kitchen").size(), 1u);
  EXPECT_TRUE(store_.messages("lobby").empty());
  EXPECT_EQ(str(only_event_to(C).at("room")), "kitchen");
  EXPECT_TRUE(connections_.posts_to(B).empty());
  EXPECT_EQ(types_to(A), (std::vector<std::string>{"ack", "message"}));
  EXPECT_EQ(str(events_to(A)[0].at("room")), "kitchen");
}

TEST_F(SendMessage, TheHomeRoomGivenExplicitlyIsTheSame) {
  send(A, R"({"action":"sendmessage","message":"hi","room":"lobby"})");
  EXPECT_EQ(store_.messages("lobby").size(), 1u);
  EXPECT_EQ(connections_.posts_to(B).size(), 1u);
}

TEST_F(SendMessage, ARoomTheSenderIsNotInIsNotMember) {
  send(A, R"({"action":"sendmessage","message":"hi","room":"kitchen","clientMsgId":"c1"})");
  expect_only_error_to(A, "not_member", "sendmessage", "c1");
  EXPECT_EQ(store_.message_count(), 0u);
  EXPECT_EQ(store_.calls(Op::append_message), 0);
}

TEST_F(SendMessage, AnyRoomNameTheSenderCannotBeInIsNotMember) {
  for (const std::string& room : {std::string(""), std::string("no such room"), std::string(65, 'r'),
                                  std::string("dm:alice:bob"), std::string("LOBBY")}) {
    SCOPED_TRACE(room);
    connections_.clear();
    send(A, json::object{{"action", "sendmessage"}, {"message", "hi"}, {"room", room}});
    expect_only_error_to(A, "not_member", "sendmessage");
  }
  EXPECT_EQ(store_.message_count(), 0u);
}

TEST_F(SendMessage, AfterLeavingTheHomeRoomTheDefaultIsNotMember) {
  ASSERT_TRUE(store_.delete_member("lobby", A));
  add_member(A, "kitchen", "alice");
  send(A, R"({"action":"sendmessage","message":"hi"})");
  expect_only_error_to(A, "not_member", "sendmessage");
  EXPECT_EQ(store_.message_count(), 0u);
}

TEST_F(SendMessage, ANonStringRoomIsBadRequest) {
  for (const char* room : {"5", "null", "true", "[\"lobby\"]", "{\"room\":\"lobby\"}"}) {
    SCOPED_TRACE(room);
    connections_.clear();
    send(A, std::string(R"({"action":"sendmessage","message":"hi","room":)") + room + "}");
    expect_only_error_to(A, "bad_request", "sendmessage");
  }
  EXPECT_EQ(store_.message_count(), 0u);
}

// ---- idempotency ----

TEST_F(SendMessage, ARetriedClientMsgIdIsAckedAgainAndNotDeliveredTwice) {
  send(A, R"({"action":"sendmessage","message":"hi","clientMsgId":"c1"})");
  const auto first = events_to(A).at(0);
  connections_.clear();
  send(A, R"({"action":"sendmessage","message":"hi again","clientMsgId":"c1"})");
  const auto ack = only_event_to(A);
  EXPECT_EQ(str(ack.at("type")), "ack");
  EXPECT_EQ(ack.at("duplicate"), true);
  EXPECT_EQ(ack.at("seq"), first.at("seq"));
  EXPECT_EQ(ack.at("id"), first.at("id"));
  EXPECT_EQ(ack.at("room"), "lobby");
  EXPECT_EQ(ack.at("clientMsgId"), "c1");
  EXPECT_TRUE(connections_.attempts_to(B).empty());
  ASSERT_EQ(store_.messages("lobby").size(), 1u);
  EXPECT_EQ(store_.messages("lobby")[0].text, "hi");
  // A new clientMsgId is a new message.
  send(A, R"({"action":"sendmessage","message":"next","clientMsgId":"c2"})");
  EXPECT_EQ(num(events_to(B).back().at("seq")), 2);
}

TEST_F(SendMessage, TheSameClientMsgIdInAnotherRoomIsANewMessage) {
  add_member(A, "kitchen", "alice");
  send(A, R"({"action":"sendmessage","message":"hi","clientMsgId":"c1"})");
  send(A, R"({"action":"sendmessage","message":"hi","clientMsgId":"c1","room":"kitchen"})");
  EXPECT_EQ(store_.messages("lobby").size(), 1u);
  EXPECT_EQ(store_.messages("kitchen").size(), 1u);
  EXPECT_EQ(only_event_to(C).at("clientMsgId"), "c1");
}

TEST_F(SendMessage, MessagesWithoutClientMsgIdAreNeverDuplicates) {
  send(A, R"({"action":"sendmessage","message":"hi"})");
  send(A, R"({"action":"sendmessage","message":"hi"})");
  EXPECT_EQ(store_.messages("lobby").size(), 2u);
  EXPECT_EQ(connections_.posts_to(B).size(), 2u);
}

// ---- gone members ----

TEST_F(SendMessage, AGoneMemberOlderThan30sIsForgotten) {
  add_member(B, "kitchen", "bob");
  connections_.mark_gone(B);
  send(A, R"({"action":"sendmessage","message":"hi"})");
  EXPECT_FALSE(store_.connection(B)) << "a post answering gone must remove the stale rows";
  EXPECT_TRUE(store_.rooms_of(B).empty());
  EXPECT_EQ(store_.member_ids("kitchen"), std::vector<std::string>{C});
  EXPECT_TRUE(store_.connection(A));
  EXPECT_TRUE(store_.connection(C));
  EXPECT_EQ(types_to(A), (std::vector<std::string>{"ack", "message"}));
  // The next fan-out no longer tries B.
  send(A, R"({"action":"sendmessage","message":"again"})");
  EXPECT_EQ(connections_.attempts_to(B).size(), 1u);
}

// API Gateway answers 410 while a connection's $connect is still running: a member that
// joined in the last 30 s is about to exist and must be kept.
TEST_F(SendMessage, AGoneMemberThatJoinedLessThan30sAgoIsKept) {
  add_member(D, "lobby", "dave", core::now_ms() - 5000);
  store::Connection d;
  d.connection_id = D;
  d.name = "dave";
  d.home_room = "lobby";
  ASSERT_TRUE(store_.put_connection(d));
  connections_.mark_gone(D);
  send(A, R"({"action":"sendmessage","message":"hi"})");
  EXPECT_TRUE(store_.connection(D));
  EXPECT_EQ(store_.rooms_of(D), std::vector<std::string>{"lobby"});
  EXPECT_EQ(connections_.attempts_to(D).size(), 1u);
  EXPECT_EQ(connections_.posts_to(B).size(), 1u);
}

TEST_F(SendMessage, OtherPostFailuresKeepTheRows) {
  connections_.fail_with(B, core::errc::limit_exceeded);
  send(A, R"({"action":"sendmessage","message":"hi"})");
  EXPECT_TRUE(store_.connection(B));
  EXPECT_EQ(store_.rooms_of(B), std::vector<std::string>{"lobby"});
  EXPECT_EQ(connections_.posts_to(A).size(), 2u);
}

TEST_F(SendMessage, GoneRowDeletionFailureIsNotFatal) {
  connections_.mark_gone(B);
  store_.fail(Op::delete_connection);
  store_.fail(Op::delete_member);
  EXPECT_EQ(send(A, R"({"action":"sendmessage","message":"hi"})").status_code, 200);
  EXPECT_EQ(types_to(A), (std::vector<std::string>{"ack", "message"}));
}

// ---- bad bodies: exactly one error event to the sender, nothing stored ----

struct BadBody {
  std::string name;
  std::optional<std::string> body;
  std::string code;
  std::string client_msg_id = "";  // echoed in the error when the frame had a valid one
};

TEST_F(SendMessage, BadBodiesGiveTheSenderOneErrorEventAndStoreNothing) {
  const std::vector<BadBody> cases{
      {"no body", std::nullopt, "bad_request"},
      {"empty body", "", "bad_request"},
      {"not JSON", "hello there", "bad_request"},
      {"truncated JSON", R"({"action":"sendmessage","message":"hi")", "bad_request"},
      {"JSON array", R"(["sendmessage","hi"])", "bad_request"},
      {"JSON string", R"("hi")", "bad_request"},
      {"message missing", R"({"action":"sendmessage"})", "bad_request"},
      {"message null", R"({"action":"sendmessage","message":null})", "bad_request"},
      {"message number", R"({"action":"sendmessage","message":42})", "bad_request"},
      {"message object", R"({"action":"sendmessage","message":{"text":"hi"}})", "bad_request"},
      {"message array", R"({"action":"sendmessage","message":["hi"]})", "bad_request"},
      {"message empty", R"({"action":"sendmessage","message":""})", "bad_request"},
      {"message empty, with id", R"({"action":"sendmessage","message":"","clientMsgId":"c9"})", "bad_request",
       "c9"},
      {"4097 ASCII", body_with(std::string(4097, 'a')), "too_long"},
      {"4097 two-byte", body_with(repeat("\xC3\xA9", 4097)), "too_long"},
      {"4097 four-byte", body_with(repeat("\xF0\x9F\x98\x80", 4097)), "too_long"},
      {"too long, with id",
       json::serialize(json::object{{"message", std::string(5000, 'a')}, {"clientMsgId", "c8"}}), "too_long", "c8"},
      {"clientMsgId 65", R"({"action":"sendmessage","message":"hi","clientMsgId":")" + std::string(65, 'k') + "\"}",
       "bad_request"},
      {"clientMsgId number", R"({"action":"sendmessage","message":"hi","clientMsgId":7})", "bad_request"},
      {"clientMsgId null", R"({"action":"sendmessage","message":"hi","clientMsgId":null})", "bad_request"},
      {"clientMsgId object", R"({"action":"sendmessage","message":"hi","clientMsgId":{}})", "bad_request"},
      {"room number", R"({"action":"sendmessage","message":"hi","room":1,"clientMsgId":"c7"})", "bad_request",
       "c7"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    connections_.clear();
    apigw::Response r;
    EXPECT_NO_THROW(r = send(A, c.body));
    EXPECT_EQ(r.status_code, 200);  // one-way route: the result is discarded anyway
    expect_only_error_to(A, c.code, "sendmessage", c.client_msg_id);
  }
  EXPECT_EQ(store_.message_count(), 0u);
  EXPECT_EQ(store_.calls(Op::append_message), 0);
}

// ---- the 4096-character limit counts code points, not bytes ----

TEST_F(SendMessage, Accepts4096AsciiCharacters) {
  send(A, body_with(std::string(4096, 'a')));
  ASSERT_EQ(store_.message_count(), 1u);
  EXPECT_EQ(store_.messages("lobby")[0].text.size(), 4096u);
}

TEST_F(SendMessage, Accepts4096MultibyteCharacters) {
  for (std::string_view ch : {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"}) {
    SCOPED_TRACE(std::to_string(ch.size()) + "-byte characters");
    connections_.clear();
    const auto text = repeat(ch, 4096);
    send(C, body_with(text));
    EXPECT_EQ(store_.messages("kitchen").back().text, text);
    const auto to_c = events_to(C);
    ASSERT_EQ(to_c.size(), 2u);
    EXPECT_EQ(to_c[1].at("type"), "message");
    EXPECT_EQ(to_c[1].at("text"), text.c_str());
  }
}

// ---- store failures: an internal error, nothing stored, nothing posted ----

TEST_F(SendMessage, AppendFailureGivesAnInternalErrorAndNoMessage) {
  store_.fail(Op::append_message);
  EXPECT_EQ(send(A, R"({"action":"sendmessage","message":"hi","clientMsgId":"c1"})").status_code, 200);
  expect_only_error_to(A, "internal", "sendmessage", "c1");
  EXPECT_EQ(store_.message_count(), 0u);
  EXPECT_TRUE(connections_.attempts_to(B).empty());
}

TEST_F(SendMessage, EveryReadFailureGivesAnInternalErrorAndNoMessage) {
  for (auto op : {Op::get_connection, Op::members}) {
    SCOPED_TRACE(static_cast<int>(op));
    connections_.clear();
    store_.fail(op);
    send(A, R"({"action":"sendmessage","message":"hi"})");
    expect_only_error_to(A, "internal", "sendmessage");
    store_.fail(op, false);
  }
  EXPECT_EQ(store_.message_count(), 0u);
}

TEST_F(SendMessage, UnknownSenderGivesAnInternalError) {
  send("ZZZZzzzzZZZZzzz=", R"({"action":"sendmessage","message":"hi"})");
  expect_only_error_to("ZZZZzzzzZZZZzzz=", "internal", "sendmessage");
  EXPECT_EQ(store_.message_count(), 0u);
}

TEST_F(SendMessage, StoreDownGivesAnInternalError) {
  store_.fail_all();
  send(A, R"({"action":"sendmessage","message":"hi"})");
  expect_only_error_to(A, "internal", "sendmessage");
}

// ---- hostile input ----

TEST_F(SendMessage, DeeplyNestedJsonGivesAnErrorNotACrash) {
  for (const std::string& body :
       {std::string(100'000, '['), std::string(100'000, '[') + std::string(100'000, ']'),
        std::string(R"({"action":"sendmessage","message":)") + std::string(100'000, '['),
        repeat(R"({"a":)", 100'000)}) {
    connections_.clear();
    apigw::Response r;
    EXPECT_NO_THROW(r = send(A, body));
    expect_only_error_to(A, "bad_request", "sendmessage");
  }
  EXPECT_EQ(store_.message_count(), 0u);
}

TEST_F(SendMessage, ErrorToAGoneSenderIsNotFatal) {
  connections_.mark_gone(A);
  apigw::Response r;
  EXPECT_NO_THROW(r = send(A, "not json"));
  EXPECT_EQ(r.status_code, 200);
  EXPECT_TRUE(connections_.posts().empty());
}

TEST_F(SendMessage, ExtraMembersAreIgnored) {
  send(A, R"({"action":"sendmessage","message":"hi","name":"mallory","connectionId":"x=","seq":99,"to":"bob"})");
  const auto o = only_event_to(B);
  EXPECT_EQ(o.at("room"), "lobby");
  EXPECT_EQ(o.at("name"), "alice");  // the name and sender come from the stored rows
  EXPECT_EQ(o.at("connectionId"), A);
  EXPECT_EQ(num(o.at("seq")), 1);
  EXPECT_EQ(o.at("type"), "message");
  EXPECT_FALSE(o.contains("to"));
  EXPECT_TRUE(connections_.posts_to(C).empty());
}

// ---- concurrency: handlers run on several threads at once ----

TEST_F(SendMessage, ConcurrentSendersGetUniqueSeqsAndEveryoneGetsEverything) {
  constexpr int threads = 4, per_thread = 50;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([this, t] {
      for (int i = 0; i < per_thread; ++i)
        send(t % 2 ? A : B, body_with(std::to_string(t) + ":" + std::to_string(i)));
    });
  }
  for (auto& th : pool) th.join();
  constexpr std::size_t n = threads * per_thread;
  for (const char* id : {A, B}) {
    std::set<std::int64_t> seqs;
    std::size_t acks = 0;
    for (const auto& e : events_to(id)) {
      if (e.at("type") == "ack") ++acks;
      else seqs.insert(num(e.at("seq")));
    }
    EXPECT_EQ(acks, n / 2);
    EXPECT_EQ(seqs.size(), n);
    EXPECT_EQ(*seqs.begin(), 1);
    EXPECT_EQ(*seqs.rbegin(), static_cast<std::int64_t>(n));
  }
  EXPECT_TRUE(connections_.posts_to(C).empty());
}

TEST_F(SendMessage, ConcurrentRetriesOfOneClientMsgIdDeliverOnce) {
  constexpr int threads = 8;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([this] { send(A, R"({"action":"sendmessage","message":"hi","clientMsgId":"c1"})"); });
  for (auto& th : pool) th.join();
  EXPECT_EQ(store_.message_count(), 1u);
  EXPECT_EQ(connections_.posts_to(B).size(), 1u);
  int fresh = 0;
  for (const auto& e : events_to(A)) {
    if (e.at("type") != "ack") continue;
    EXPECT_EQ(num(e.at("seq")), 1);
    fresh += e.at("duplicate") == false;
  }
  EXPECT_EQ(fresh, 1);
  EXPECT_EQ(connections_.posts_to(A).size(), static_cast<std::size_t>(threads) + 1);
}

}  // namespace
