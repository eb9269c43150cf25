#include "gateway/route_selector.hpp"

#include <gtest/gtest.h>

namespace gateway {
namespace {

const std::vector<std::string> chat = {"$connect", "$disconnect", "$default", "sendmessage"};

TEST(RouteSelector, MatchesActionExactly) {
  RouteSelector s("$request.body.action", chat);
  EXPECT_EQ(s.select(R"({"action":"sendmessage","message":"hi"})"), "sendmessage");
  EXPECT_EQ(s.select(R"({"action":"SendMessage"})"), "$default");  // case-sensitive
  EXPECT_EQ(s.select(R"({"action":"sendmessage "})"), "$default");
}

TEST(RouteSelector, NotJsonGoesToDefault) {
  RouteSelector s("$request.body.action", chat);
  EXPECT_EQ(s.select("hello there"), "$default");
  EXPECT_EQ(s.select(""), "$default");
  EXPECT_EQ(s.select(R"({"action":"sendmessage")"), "$default");  // truncated JSON
  EXPECT_EQ(s.select(R"(["sendmessage"])"), "$default");
}

TEST(RouteSelector, MissingOrNullPropertyGoesToDefault) {
  RouteSelector s("$request.body.action", chat);
  EXPECT_EQ(s.evaluate(R"({"message":"x"})"), "");
  EXPECT_EQ(s.select(R"({"message":"x"})"), "$default");
  EXPECT_EQ(s.select(R"({"action":null})"), "$default");
}

TEST(RouteSelector, NonStringValuesAreStringified) {
  RouteSelector s("$request.body.action", {"$default", "42", "true"});
  EXPECT_EQ(s.evaluate(R"({"action":42})"), "42");
  EXPECT_EQ(s.select(R"({"action":42})"), "42");
  EXPECT_EQ(s.select(R"({"action":true})"), "true");
  EXPECT_EQ(s.evaluate(R"({"action":{"a":1}})"), R"({"a":1})");
}

TEST(RouteSelector, ReservedKeysCannotBeSelectedByABody) {
  RouteSelector s("$request.body.action", chat);
  EXPECT_EQ(s.select(R"({"action":"$connect"})"), "$default");
  EXPECT_EQ(s.select(R"({"action":"$disconnect"})"), "$default");
}

TEST(RouteSelector, WithoutDefaultNoMatchIsNothing) {
  RouteSelector s("$request.body.action", {"$connect", "sendmessage"});
  EXPECT_EQ(s.select(R"({"action":"sendmessage"})"), "sendmessage");
  EXPECT_EQ(s.select(R"({"action":"other"})"), std::nullopt);
  EXPECT_EQ(s.select("not json"), std::nullopt);
}

TEST(RouteSelector, NestedPathAndBracedForm) {
  RouteSelector nested("$request.body.meta.op", {"$default", "send"});
  EXPECT_EQ(nested.select(R"({"meta":{"op":"send"}})"), "send");
  EXPECT_EQ(nested.select(R"({"meta":"send"})"), "$default");
  RouteSelector braced("${request.body.action}", chat);
  EXPECT_EQ(braced.select(R"({"action":"sendmessage"})"), "sendmessage");
}

TEST(RouteSelector, RejectsExpressionsItCannotEvaluate) {
  EXPECT_THROW(RouteSelector("$request.header.x", chat), std::invalid_argument);
  EXPECT_THROW(RouteSelector("$request.body.", chat), std::invalid_argument);
  EXPECT_THROW(RouteSelector("$request.body.a..b", chat), std::invalid_argument);
  EXPECT_THROW(RouteSelector("action", chat), std::invalid_argument);
}

TEST(RouteSelector, DeepNestingDoesNotCrash) {
  RouteSelector s("$request.body.action", chat);
  std::string deep(100000, '[');
  EXPECT_EQ(s.select(deep), "$default");
  std::string deep_obj;
  for (int i = 0; i < 5000; ++i) deep_obj += R"({"a":)";
  EXPECT_EQ(s.select(deep_obj), "$default");
}

TEST(RouteSelector, HasKnowsTheRoutes) {
  RouteSelector s("$request.body.action", chat);
  EXPECT_TRUE(s.has("$connect"));
  EXPECT_TRUE(s.has("sendmessage"));
  EXPECT_FALSE(s.has("join"));
}

}  // namespace
}  // namespace gateway
