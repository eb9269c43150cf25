#include "handlers/body.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using handlers::code_points;
using handlers::parse_body;
using handlers::string_member;

std::string nested(int depth) {
  return R"({"a":)" + std::string(static_cast<std::size_t>(depth - 1), '[') +
         std::string(static_cast<std::size_t>(depth - 1), ']') + "}";
}

TEST(ParseBody, ReadsAnObject) {
  const auto o = parse_body(R"({"action":"sendmessage","message":"hi","n":1})");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->at("action"), "sendmessage");
  EXPECT_EQ(o->at("n"), 1);
}

TEST(ParseBody, RefusesWhatIsNotAJsonObject) {
  for (const char* text : {"", " ", "hi", "{", R"({"a":1)", "[]", "[{}]", "1", "\"s\"", "null", "true",
                           R"({"a":1} {"b":2})", "{'a':1}", "\xC3"}) {
    EXPECT_FALSE(parse_body(text)) << text;
  }
}

TEST(ParseBody, AcceptsReasonableNestingAndRefusesDeepNesting) {
  EXPECT_TRUE(parse_body(nested(10)));
  EXPECT_TRUE(parse_body(nested(32)));
  EXPECT_FALSE(parse_body(nested(33)));
  EXPECT_FALSE(parse_body(std::string(100'000, '[')));
  EXPECT_FALSE(parse_body(std::string(100'000, '[') + std::string(100'000, ']')));
  std::string objects;
  for (int i = 0; i < 100'000; ++i) objects += R"({"a":)";
  EXPECT_FALSE(parse_body(objects));
}

TEST(StringMember, OnlyStrings) {
  const auto o = parse_body(R"({"s":"x","e":"","n":1,"z":null,"a":["x"],"o":{}})");
  ASSERT_TRUE(o);
  EXPECT_EQ(string_member(*o, "s"), "x");
  EXPECT_EQ(string_member(*o, "e"), "");
  EXPECT_FALSE(string_member(*o, "n"));
  EXPECT_FALSE(string_member(*o, "z"));
  EXPECT_FALSE(string_member(*o, "a"));
  EXPECT_FALSE(string_member(*o, "o"));
  EXPECT_FALSE(string_member(*o, "missing"));
}

TEST(CodePoints, CountsCharactersNotBytes) {
  EXPECT_EQ(code_points(""), 0u);
  EXPECT_EQ(code_points("abc"), 3u);
  EXPECT_EQ(code_points("\xC3\xA9"), 1u);              // é
  EXPECT_EQ(code_points("\xE2\x82\xAC"), 1u);          // €
  EXPECT_EQ(code_points("\xF0\x9F\x98\x80"), 1u);      // 😀
  EXPECT_EQ(code_points("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z"), 5u);
  EXPECT_EQ(code_points(std::string(4096, 'a')), 4096u);
}

}  // namespace
