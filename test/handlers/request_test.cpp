#include "handlers/request.hpp"

#include <gtest/gtest.h>

#include "chat_fixture.hpp"

namespace {

using fakes::message_event;
using fakes::str;
namespace json = boost::json;

class RequestTest : public fakes::ChatTest {
 protected:
  apigw::Event event(std::optional<std::string> body) { return message_event(A, std::move(body), "join"); }
};

TEST_F(RequestTest, ReadsTheSenderAndTheBody) {
  const auto e = event(R"({"action":"join","room":"kitchen","n":5})");
  const handlers::Request r(e, ports_, "join");
  EXPECT_EQ(r.connection_id(), A);
  EXPECT_EQ(r.action, "join");
  ASSERT_NE(r.body(), nullptr);
  EXPECT_EQ(r.body()->at("n"), 5);
  EXPECT_EQ(r.string_field("room"), "kitchen");
  EXPECT_FALSE(r.string_field("n"));
  EXPECT_FALSE(r.string_field("missing"));
  EXPECT_EQ(&r.event, &e);
  EXPECT_EQ(&r.ports, &ports_);
}

TEST_F(RequestTest, ABodyThatIsNotAnObjectIsNull) {
  for (std::optional<std::string> body : {std::optional<std::string>(), std::optional<std::string>(""),
                                          std::optional<std::string>("[]"), std::optional<std::string>("{"),
                                          std::optional<std::string>(std::string(100000, '['))}) {
    const auto e = event(body);
    const handlers::Request r(e, ports_, "join");
    EXPECT_EQ(r.body(), nullptr);
    EXPECT_FALSE(r.string_field("room"));
  }
}

TEST_F(RequestTest, ReplyPostsToTheSenderOnly) {
  const auto e = event("{}");
  handlers::Request(e, ports_, "ping").reply(R"({"type":"pong"})");
  ASSERT_EQ(connections_.posts().size(), 1u);
  EXPECT_EQ(*connections_.posts_to(A).at(0).frame, R"({"type":"pong"})");
}

TEST_F(RequestTest, ReplyToAGoneSenderIsQuiet) {
  connections_.mark_gone(A);
  const auto e = event("{}");
  EXPECT_NO_THROW(handlers::Request(e, ports_, "ping").reply("{}"));
  EXPECT_TRUE(connections_.posts().empty());
}

TEST_F(RequestTest, FailAnswersAnErrorWithTheActionAndClientMsgIdAndReturns200) {
  const auto e = event(R"({"action":"join","clientMsgId":"c-1"})");
  const auto res = handlers::Request(e, ports_, "join").fail("bad_room", "no such room");
  EXPECT_EQ(res.status_code, 200);
  EXPECT_FALSE(res.body);
  expect_only_error_to(A, "bad_room", "join", "c-1");
  EXPECT_EQ(str(only_event_to(A).at("message")), "no such room");
}

TEST_F(RequestTest, WithoutAnActionTheErrorHasNone) {
  const auto e = event("nope");
  handlers::Request(e, ports_, "").fail("bad_request", "not JSON");
  expect_only_error_to(A, "bad_request", "");
}

TEST_F(RequestTest, OnlyAValidClientMsgIdIsEchoed) {
  for (const char* body : {R"({"clientMsgId":5})", R"({"clientMsgId":null})", R"({"clientMsgId":["c"]})",
                           R"({"clientMsgId":""})"}) {
    SCOPED_TRACE(body);
    connections_.clear();
    const auto e = event(body);
    handlers::Request(e, ports_, "join").fail("bad_request", "x");
    expect_only_error_to(A, "bad_request", "join");
  }
  connections_.clear();
  const auto e65 = event(fakes::body(json::object{{"clientMsgId", std::string(65, 'c')}}));
  handlers::Request(e65, ports_, "join").fail("bad_request", "x");
  expect_only_error_to(A, "bad_request", "join");
  connections_.clear();
  const auto e64 = event(fakes::body(json::object{{"clientMsgId", std::string(64, 'c')}}));
  handlers::Request(e64, ports_, "join").fail("bad_request", "x");
  expect_only_error_to(A, "bad_request", "join", std::string(64, 'c'));
}

TEST_F(RequestTest, FailStoreIsInternalAndSaysWhatFailed) {
  const auto e = event(R"({"clientMsgId":"c-2"})");
  const auto res = handlers::Request(e, ports_, "who")
                       .fail_store(core::make_error_code(core::errc::store_unavailable), "read the room");
  EXPECT_EQ(res.status_code, 200);
  expect_only_error_to(A, "internal", "who", "c-2");
  EXPECT_NE(str(only_event_to(A).at("message")).find("read the room"), std::string::npos);
}

}  // namespace
