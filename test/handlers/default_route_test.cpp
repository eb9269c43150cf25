#include "handlers/default_route.hpp"

#include <gtest/gtest.h>

#include <string>

#include "chat_fixture.hpp"

namespace {

using fakes::message_event;
using fakes::num;
using fakes::str;

class DefaultRoute : public fakes::ChatTest {
 protected:
  apigw::Response run(const std::string& from, std::optional<std::string> body) {
    return handlers::default_route(message_event(from, std::move(body), "$default"), ports_);
  }
};

TEST_F(DefaultRoute, TheActionIsCaseSensitive) {
  run(A, R"({"action":"SendMessage"})");
  expect_only_error_to(A, "unknown_action", "SendMessage");
}

TEST_F(DefaultRoute, SeedsDefaultActionIsSentLikeSendmessage) {
  EXPECT_EQ(run(A, R"({"action":"default","message":"yo"})").status_code, 200);
  const auto ms = store_.messages("lobby");
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].text, "yo");
  EXPECT_EQ(ms[0].sender, A);
  const auto to_a = connections_.posts_to(A);
  const auto to_b = connections_.posts_to(B);
  ASSERT_EQ(to_a.size(), 2u);
  ASSERT_EQ(to_b.size(), 1u);
  EXPECT_EQ(str(fakes::parse_frame(to_a[0]).at("type")), "ack");
  EXPECT_EQ(to_a[1].frame.get(), to_b[0].frame.get());
  const auto o = fakes::parse_frame(to_b[0]);
  EXPECT_EQ(o.at("type"), "message");
  EXPECT_EQ(o.at("text"), "yo");
  EXPECT_EQ(o.at("name"), "alice");
  EXPECT_EQ(o.at("room"), "lobby");
  EXPECT_EQ(num(o.at("seq")), 1);
  EXPECT_TRUE(connections_.posts_to(C).empty());
}

TEST_F(DefaultRoute, DefaultActionTakesARoomAndAClientMsgIdLikeSendmessage) {
  add_member(A, "kitchen", "alice");
  run(A, R"({"action":"default","message":"yo","room":"kitchen","clientMsgId":"m1"})");
  run(A, R"({"action":"default","message":"yo","room":"kitchen","clientMsgId":"m1"})");
  EXPECT_EQ(store_.messages("kitchen").size(), 1u);
  EXPECT_EQ(only_event_to(C).at("clientMsgId"), "m1");
  const auto to_a = events_to(A);
  ASSERT_EQ(to_a.size(), 3u);  // ack, message, duplicate ack
  EXPECT_EQ(to_a[2].at("duplicate"), true);
}

TEST_F(DefaultRoute, UnknownActionWithAMessageIsSentToo) {
  run(A, R"({"action":"shout","message":"yo","clientMsgId":"m1"})");
  ASSERT_EQ(store_.message_count(), 1u);
  EXPECT_EQ(only_event_to(B).at("clientMsgId"), "m1");
}

TEST_F(DefaultRoute, MessageWithoutActionIsSent) {
  run(A, R"({"message":"no action"})");
  EXPECT_EQ(store_.message_count(), 1u);
}

TEST_F(DefaultRoute, ErrorsOfTheDefaultActionNameIt) {
  run(A, R"({"action":"default","message":"yo","room":"kitchen","clientMsgId":"m1"})");
  expect_only_error_to(A, "not_member", "default", "m1");
}

TEST_F(DefaultRoute, NotJsonIsBadRequest) {
  run(A, "hello");
  expect_only_error_to(A, "bad_request", "");
  EXPECT_EQ(store_.message_count(), 0u);
}

TEST_F(DefaultRoute, NoBodyIsBadRequest) {
  run(A, std::nullopt);
  expect_only_error_to(A, "bad_request", "");
}

TEST_F(DefaultRoute, NonObjectJsonIsBadRequest) {
  for (const char* text : {"[1,2,3]", "1", "\"sendmessage\"", "null", "true"}) {
    SCOPED_TRACE(text);
    connections_.clear();
    run(A, text);
    expect_only_error_to(A, "bad_request", "");
  }
}

TEST_F(DefaultRoute, UnknownActionIsUnknownActionAndNamesIt) {
  run(A, R"({"action":"nope"})");
  expect_only_error_to(A, "unknown_action", "nope");
  const auto o = fakes::parse_frame(connections_.posts().at(0));
  EXPECT_NE(str(o.at("message")).find("nope"), std::string::npos);
  EXPECT_EQ(store_.message_count(), 0u);
}

TEST_F(DefaultRoute, UnknownActionEchoesAValidClientMsgId) {
  run(A, R"({"action":"nope","clientMsgId":"c1"})");
  expect_only_error_to(A, "unknown_action", "nope", "c1");
}

TEST_F(DefaultRoute, DefaultActionWithoutMessageIsAnError) {
  run(A, R"({"action":"default"})");
  expect_only_error_to(A, "unknown_action", "default");
}

TEST_F(DefaultRoute, ObjectWithoutActionIsUnknownAction) {
  run(A, "{}");
  expect_only_error_to(A, "unknown_action", "");
}

TEST_F(DefaultRoute, NonStringActionIsUnknownAction) {
  for (const char* body : {R"({"action":42})", R"({"action":null})", R"({"action":["x"]})", R"({"action":{}})"}) {
    SCOPED_TRACE(body);
    connections_.clear();
    run(A, body);
    expect_only_error_to(A, "unknown_action", "");
  }
}

TEST_F(DefaultRoute, LongActionIsTruncatedInTheError) {
  run(A, R"({"action":")" + std::string(10'000, 'x') + "\"}");
  expect_only_error_to(A, "unknown_action", std::string(64, 'x') + "...");
  EXPECT_LT(connections_.posts().at(0).frame->size(), 300u);
}

TEST_F(DefaultRoute, MistypedMessageIsBadRequest) {
  run(A, R"({"action":"default","message":5})");
  expect_only_error_to(A, "bad_request", "default");
  EXPECT_EQ(store_.message_count(), 0u);
}

TEST_F(DefaultRoute, TooLongMessageIsTooLong) {
  run(A, R"({"action":"default","message":")" + std::string(4097, 'a') + "\"}");
  expect_only_error_to(A, "too_long", "default");
}

TEST_F(DefaultRoute, DeeplyNestedJsonGivesAnErrorNotACrash) {
  for (const std::string& text : {std::string(100'000, '['), std::string(100'000, '{'),
                                  std::string(R"({"message":)") + std::string(100'000, '[')}) {
    connections_.clear();
    apigw::Response r;
    EXPECT_NO_THROW(r = run(A, text));
    expect_only_error_to(A, "bad_request", "");
  }
}

TEST_F(DefaultRoute, NeedsNoStoreToRefuse) {
  store_.fail_all();
  run(A, R"({"action":"nope"})");
  expect_only_error_to(A, "unknown_action", "nope");
}

}  // namespace
