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

namespace {

using fakes::message_event;
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

class SendMessage : public fakes::ChatTest {
 protected:
  apigw::Response send(const std::string& from, std::optional<std::string> body) {
    return handlers::send_message(message_event(from, std::move(body)), ports_);
  }
};

TEST_F(SendMessage, StoresTheMessageInTheSendersRoom) {
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
  EXPECT_GE(ms[0].ts, before);
  EXPECT_LE(ms[0].ts, after);
  EXPECT_EQ(store_.message_count(), 1u);
}

TEST_F(SendMessage, PostsOneSharedFrameToEveryRoomMemberIncludingTheSender) {
  send(A, R"({"action":"sendmessage","message":"hi"})");
  const auto to_a = connections_.posts_to(A);
  const auto to_b = connections_.posts_to(B);
  ASSERT_EQ(to_a.size(), 1u);
  ASSERT_EQ(to_b.size(), 1u);
  EXPECT_EQ(to_a[0].frame.get(), to_b[0].frame.get()) << "the broadcast must be encoded once";
  EXPECT_EQ(connections_.posts().size(), 2u);
}

TEST_F(SendMessage, MembersOfOtherRoomsGetNothing) {
  send(A, R"({"action":"sendmessage","message":"hi"})");
  EXPECT_TRUE(connections_.posts_to(C).empty());
  EXPECT_TRUE(store_.messages("kitchen").empty());
  send(C, R"({"action":"sendmessage","message":"only kitchen"})");
  EXPECT_EQ(connections_.posts_to(C).size(), 1u);
  EXPECT_EQ(connections_.posts_to(A).size(), 1u);  // still just the first message
  EXPECT_EQ(connections_.posts_to(B).size(), 1u);
}

TEST_F(SendMessage, FrameHasTheMessageEventFields) {
  send(A, R"({"action":"sendmessage","message":"hi"})");
  const auto o = only_event_to(B);
  EXPECT_EQ(fakes::keys(o), (std::set<std::string>{"type", "room", "seq", "id", "ts", "connectionId", "name", "text"}));
  const auto m = store_.messages("lobby").at(0);
  EXPECT_EQ(o.at("type"), "message");
  EXPECT_EQ(o.at("room"), "lobby");
  ASSERT_TRUE(o.at("seq").is_number());
  EXPECT_EQ(o.at("seq").to_number<std::int64_t>(), 1);
  EXPECT_EQ(o.at("id"), m.id.c_str());
  ASSERT_TRUE(o.at("ts").is_number());
  EXPECT_EQ(o.at("ts").to_number<std::int64_t>(), m.ts);
  EXPECT_EQ(o.at("connectionId"), A);
  EXPECT_EQ(o.at("name"), "alice");
  EXPECT_EQ(o.at("text"), "hi");
}

TEST_F(SendMessage, FrameCarriesClientMsgIdWhenGiven) {
  send(A, R"({"action":"sendmessage","message":"hi","clientMsgId":"c-123"})");
  const auto o = only_event_to(A);
  EXPECT_EQ(o.at("clientMsgId"), "c-123");
  EXPECT_EQ(fakes::keys(o).size(), 9u);
}

TEST_F(SendMessage, ClientMsgIdOf64IsAccepted) {
  const auto id = std::string(64, 'k');
  send(A, json::serialize(json::object{{"action", "sendmessage"}, {"message", "hi"}, {"clientMsgId", id}}));
  EXPECT_EQ(only_event_to(A).at("clientMsgId"), id.c_str());
}

TEST_F(SendMessage, StoresBeforeAnyoneSeesIt) {
  std::vector<std::size_t> stored_at_post;
  connections_.on_post([&](const fakes::FakeConnections::Post&) {
    stored_at_post.push_back(store_.message_count());
  });
  send(A, R"({"action":"sendmessage","message":"hi"})");
  EXPECT_EQ(stored_at_post, (std::vector<std::size_t>{1, 1}));
}

TEST_F(SendMessage, SeqIncreasesPerRoom) {
  send(A, R"({"action":"sendmessage","message":"one"})");
  send(B, R"({"action":"sendmessage","message":"two"})");
  send(C, R"({"action":"sendmessage","message":"kitchen one"})");
  const auto to_a = connections_.posts_to(A);
  ASSERT_EQ(to_a.size(), 2u);
  EXPECT_EQ(fakes::parse_frame(to_a[0]).at("seq").to_number<int>(), 1);
  EXPECT_EQ(fakes::parse_frame(to_a[1]).at("seq").to_number<int>(), 2);
  EXPECT_EQ(fakes::parse_frame(to_a[1]).at("name"), "bob");
  EXPECT_EQ(only_event_to(C).at("seq").to_number<int>(), 1);
}

TEST_F(SendMessage, TextIsDeliveredExactly) {
  const std::string text = "quotes \" backslash \\ newline \n tab \t emoji \xF0\x9F\x98\x80 </script>";
  send(A, body_with(text));
  EXPECT_EQ(only_event_to(B).at("text"), text.c_str());
  EXPECT_EQ(store_.messages("lobby").at(0).text, text);
}

TEST_F(SendMessage, AGoneRecipientsRowIsDeleted) {
  connections_.mark_gone(B);
  send(A, R"({"action":"sendmessage","message":"hi"})");
  EXPECT_FALSE(store_.connection(B)) << "a post answering gone must remove the stale row";
  EXPECT_TRUE(store_.connection(A));
  EXPECT_TRUE(store_.connection(C));
  EXPECT_EQ(only_event_to(A).at("text"), "hi");
  // The next fan-out no longer tries B.
  send(A, R"({"action":"sendmessage","message":"again"})");
  std::size_t tries_to_b = 0;
  for (const auto& p : connections_.attempts()) tries_to_b += p.connection_id == B;
  EXPECT_EQ(tries_to_b, 1u);
}

TEST_F(SendMessage, OtherPostFailuresKeepTheRow) {
  connections_.fail_with(B, core::errc::limit_exceeded);
  send(A, R"({"action":"sendmessage","message":"hi"})");
  EXPECT_TRUE(store_.connection(B));
  EXPECT_EQ(connections_.posts_to(A).size(), 1u);
}

TEST_F(SendMessage, GoneRowDeletionFailureIsNotFatal) {
  connections_.mark_gone(B);
  store_.fail(Op::delete_connection);
  EXPECT_EQ(send(A, R"({"action":"sendmessage","message":"hi"})").status_code, 200);
  EXPECT_EQ(connections_.posts_to(A).size(), 1u);
}

// ---- bad bodies: exactly one error event to the sender, nothing stored ----

struct BadBody {
  std::string name;
  std::optional<std::string> body;
  std::string code;
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
      {"4097 ASCII", body_with(std::string(4097, 'a')), "too_long"},
      {"4097 two-byte", body_with(repeat("\xC3\xA9", 4097)), "too_long"},
      {"4097 four-byte", body_with(repeat("\xF0\x9F\x98\x80", 4097)), "too_long"},
      {"clientMsgId 65", R"({"action":"sendmessage","message":"hi","clientMsgId":")" + std::string(65, 'k') + "\"}",
       "bad_request"},
      {"clientMsgId number", R"({"action":"sendmessage","message":"hi","clientMsgId":7})", "bad_request"},
      {"clientMsgId null", R"({"action":"sendmessage","message":"hi","clientMsgId":null})", "bad_request"},
      {"clientMsgId object", R"({"action":"sendmessage","message":"hi","clientMsgId":{}})", "bad_request"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    fakes::FakeStore store;
    fakes::FakeConnections connections;
    handlers::Ports ports{store, connections};
    store::Connection a{A, "lobby", "alice", fakes::connected_at, "", 0};
    store::Connection b{B, "lobby", "bob", fakes::connected_at, "", 0};
    ASSERT_TRUE(store.put_connection(a));
    ASSERT_TRUE(store.put_connection(b));

    apigw::Response r;
    EXPECT_NO_THROW(r = handlers::send_message(message_event(A, c.body), ports));
    EXPECT_EQ(r.status_code, 200);  // one-way route: the result is discarded anyway
    EXPECT_EQ(store.message_count(), 0u);
    EXPECT_EQ(store.calls(Op::append_message), 0);
    const auto posts = connections.posts();
    ASSERT_EQ(posts.size(), 1u);
    EXPECT_EQ(posts[0].connection_id, A);
    const auto o = fakes::parse_frame(posts[0]);
    EXPECT_EQ(fakes::keys(o), (std::set<std::string>{"type", "code", "message"}));
    EXPECT_EQ(o.at("type"), "error");
    EXPECT_EQ(o.at("code"), c.code.c_str());
    ASSERT_TRUE(o.at("message").is_string());
    EXPECT_FALSE(o.at("message").get_string().empty());
  }
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
    fakes::FakeStore store;
    fakes::FakeConnections connections;
    handlers::Ports ports{store, connections};
    ASSERT_TRUE(store.put_connection(store::Connection{A, "lobby", "alice", fakes::connected_at, "", 0}));
    const auto text = repeat(ch, 4096);
    handlers::send_message(message_event(A, body_with(text)), ports);
    ASSERT_EQ(store.message_count(), 1u);
    EXPECT_EQ(store.messages("lobby")[0].text, text);
    const auto posts = connections.posts();
    ASSERT_EQ(posts.size(), 1u);
    EXPECT_EQ(fakes::parse_frame(posts[0]).at("type"), "message");
    EXPECT_EQ(fakes::parse_frame(posts[0]).at("text"), text.c_str());
  }
}

// ---- store failures ----

TEST_F(SendMessage, AppendFailureGivesAnInternalErrorAndNoMessage) {
  store_.fail(Op::append_message);
  EXPECT_EQ(send(A, R"({"action":"sendmessage","message":"hi"})").status_code, 200);
  expect_only_error_to(A, "internal");
  EXPECT_EQ(store_.message_count(), 0u);
}

TEST_F(SendMessage, UnknownSenderGivesAnInternalError) {
  send("ZZZZzzzzZZZZzzz=", R"({"action":"sendmessage","message":"hi"})");
  expect_only_error_to("ZZZZzzzzZZZZzzz=", "internal");
  EXPECT_EQ(store_.message_count(), 0u);
}

TEST_F(SendMessage, StoreDownGivesAnInternalError) {
  store_.fail_all();
  send(A, R"({"action":"sendmessage","message":"hi"})");
  expect_only_error_to(A, "internal");
}

TEST_F(SendMessage, RoomListingFailureGivesAnInternalErrorAfterStoring) {
  store_.fail(Op::connections_in_room);
  send(A, R"({"action":"sendmessage","message":"hi"})");
  expect_only_error_to(A, "internal");
  EXPECT_EQ(store_.message_count(), 1u);  // stored, not delivered: history has it
}

// ---- hostile input ----

TEST_F(SendMessage, DeeplyNestedJsonGivesAnErrorNotACrash) {
  for (const std::string& body :
       {std::string(100'000, '['), std::string(100'000, '[') + std::string(100'000, ']'),
        std::string(R"({"action":"sendmessage","message":)") + std::string(100'000, '['),
        repeat(R"({"a":)", 100'000)}) {
    fakes::FakeConnections connections;
    handlers::Ports ports{store_, connections};
    apigw::Response r;
    EXPECT_NO_THROW(r = handlers::send_message(message_event(A, body), ports));
    const auto posts = connections.posts();
    ASSERT_EQ(posts.size(), 1u);
    EXPECT_EQ(fakes::parse_frame(posts[0]).at("type"), "error");
    EXPECT_EQ(fakes::parse_frame(posts[0]).at("code"), "bad_request");
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
  send(A, R"({"action":"sendmessage","message":"hi","room":"kitchen","name":"mallory","connectionId":"x="})");
  const auto o = only_event_to(B);
  EXPECT_EQ(o.at("room"), "lobby");  // the room and name come from the stored row
  EXPECT_EQ(o.at("name"), "alice");
  EXPECT_EQ(o.at("connectionId"), A);
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
    const auto posts = connections_.posts_to(id);
    ASSERT_EQ(posts.size(), n);
    std::set<std::int64_t> seqs;
    for (const auto& p : posts) seqs.insert(fakes::parse_frame(p).at("seq").to_number<std::int64_t>());
    EXPECT_EQ(seqs.size(), n);
    EXPECT_EQ(*seqs.begin(), 1);
    EXPECT_EQ(*seqs.rbegin(), static_cast<std::int64_t>(n));
  }
  EXPECT_TRUE(connections_.posts_to(C).empty());
}

}  // namespace
