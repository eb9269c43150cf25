#include "handlers/meta.hpp"

#include <gtest/gtest.h>

#include "chat_fixture.hpp"

namespace {

using fakes::message_event;

class Meta : public fakes::ChatTest {};

TEST_F(Meta, HelloAnswersWelcomeToTheSenderOnly) {
  EXPECT_EQ(handlers::hello(message_event(C, R"({"action":"hello"})", "hello"), ports_).status_code, 200);
  ASSERT_EQ(connections_.posts().size(), 1u);
  const auto o = only_event_to(C);
  EXPECT_EQ(fakes::keys(o), (std::set<std::string>{"type", "connectionId", "name", "room"}));
  EXPECT_EQ(o.at("type"), "welcome");
  EXPECT_EQ(o.at("connectionId"), C);
  EXPECT_EQ(o.at("name"), "carol");
  EXPECT_EQ(o.at("room"), "kitchen");
}

TEST_F(Meta, HelloFromAnUnregisteredConnectionIsInternal) {
  handlers::hello(message_event("ZZZZzzzzZZZZzzz=", R"({"action":"hello"})", "hello"), ports_);
  expect_only_error_to("ZZZZzzzzZZZZzzz=", "internal");
}

TEST_F(Meta, HelloWithTheStoreDownIsInternal) {
  store_.fail_all();
  handlers::hello(message_event(A, R"({"action":"hello"})", "hello"), ports_);
  expect_only_error_to(A, "internal");
}

TEST_F(Meta, PingAnswersPong) {
  EXPECT_EQ(handlers::ping(message_event(B, R"({"action":"ping"})", "ping"), ports_).status_code, 200);
  ASSERT_EQ(connections_.posts().size(), 1u);
  EXPECT_EQ(*connections_.posts_to(B).at(0).frame, R"({"type":"pong"})");
}

TEST_F(Meta, PingNeedsNoStore) {
  store_.fail_all();
  handlers::ping(message_event(B, R"({"action":"ping"})", "ping"), ports_);
  EXPECT_EQ(*connections_.posts_to(B).at(0).frame, R"({"type":"pong"})");
}

TEST_F(Meta, PingOfAGoneConnectionIsNotFatal) {
  connections_.mark_gone(B);
  EXPECT_NO_THROW(handlers::ping(message_event(B, R"({"action":"ping"})", "ping"), ports_));
  EXPECT_TRUE(connections_.posts().empty());
}

}  // namespace
