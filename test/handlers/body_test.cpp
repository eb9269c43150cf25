#include "handlers/body.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using handlers::int_member;
using handlers::parse_body;
using handlers::code_points;
using handlers::shorten;
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

// ---- int_member: a whole number in [min, max] when present ----

handlers::IntMember read(const std::string& json, std::int64_t min = 0,
                         std::int64_t max = INT64_MAX) {
  const auto o = parse_body(json);
  EXPECT_TRUE(o) << json;
  return o ? int_member(*o, "k", min, max) : handlers::IntMember{};
}

TEST(IntMember, AbsentOrNullIsNotPresentAndValid) {
  for (const char* json : {R"({})", R"({"k":null})", R"({"other":5})"}) {
    const auto r = read(json);
    EXPECT_FALSE(r.present) << json;
    EXPECT_TRUE(r.valid) << json;
  }
}

TEST(IntMember, ReadsWholeNumbersInRange) {
  struct Case {
    const char* json;
    std::int64_t value;
  };
  for (const auto& c : {Case{R"({"k":0})", 0}, Case{R"({"k":7})", 7}, Case{R"({"k":7.0})", 7},
                        Case{R"({"k":1e3})", 1000}, Case{R"({"k":-0.0})", 0},
                        Case{R"({"k":9223372036854775807})", INT64_MAX},
                        Case{R"({"k":1000000000000000})", 1000000000000000}}) {
    const auto r = read(c.json);
    EXPECT_TRUE(r.present) << c.json;
    EXPECT_TRUE(r.valid) << c.json;
    EXPECT_EQ(r.value, c.value) << c.json;
  }
}

TEST(IntMember, RefusesWhatIsNotAWholeNumber) {
  for (const char* json :
       {R"({"k":"5"})", R"({"k":true})", R"({"k":false})", R"({"k":[5]})", R"({"k":{"v":5}})",
        R"({"k":5.5})", R"({"k":0.1})", R"({"k":1e300})", R"({"k":-1e300})", R"({"k":9e15})",
        R"({"k":18446744073709551615})", R"({"k":9223372036854775808})",
        R"({"k":1e19})", R"({"k":""})"}) {
    const auto r = read(json);
    EXPECT_TRUE(r.present) << json;
    EXPECT_FALSE(r.valid) << json;
  }
}

TEST(IntMember, RefusesNumbersOutOfRange) {
  EXPECT_FALSE(read(R"({"k":-1})").valid);
  EXPECT_FALSE(read(R"({"k":-9223372036854775808})").valid);
  EXPECT_FALSE(read(R"({"k":0})", 1, 100).valid);
  EXPECT_TRUE(read(R"({"k":1})", 1, 100).valid);
  EXPECT_TRUE(read(R"({"k":100})", 1, 100).valid);
  EXPECT_TRUE(read(R"({"k":100.0})", 1, 100).valid);
  EXPECT_FALSE(read(R"({"k":101})", 1, 100).valid);
  EXPECT_FALSE(read(R"({"k":101.0})", 1, 100).valid);
  EXPECT_FALSE(read(R"({"k":4294967297})", 1, 100).valid);
  EXPECT_FALSE(read(R"({"k":18446744073709551615})", 1, 100).valid);
}

// ---- shorten: an echo of a client's value, cut at a character boundary ----

TEST(Shorten, KeepsWhatFits) {
  EXPECT_EQ(shorten(""), "");
  EXPECT_EQ(shorten("lobby"), "lobby");
  EXPECT_EQ(shorten(std::string(64, 'x')), std::string(64, 'x'));
  EXPECT_EQ(shorten("abcdef", 6), "abcdef");
}

TEST(Shorten, CutsWhatDoesNotFitAndSaysSo) {
  EXPECT_EQ(shorten(std::string(65, 'x')), std::string(64, 'x') + "...");
  EXPECT_EQ(shorten(std::string(100000, 'x')), std::string(64, 'x') + "...");
  EXPECT_EQ(shorten("abcdefg", 3), "abc...");
}

TEST(Shorten, NeverCutsACharacterInTwo) {
  // "a" then 3-byte characters: a cut at 4 bytes falls inside the second one.
  EXPECT_EQ(shorten("a\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC", 4), "a\xE2\x82\xAC...");
  EXPECT_EQ(shorten("a\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC", 5), "a\xE2\x82\xAC...");
  EXPECT_EQ(shorten("a\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC", 7), "a\xE2\x82\xAC\xE2\x82\xAC...");
  EXPECT_EQ(shorten("\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 3), "...");
  for (std::size_t max = 0; max < 40; ++max) {
    std::string text;
    for (int i = 0; i < 10; ++i) text += "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";
    const auto got = shorten(text, max);
    ASSERT_GE(got.size(), 3u);
    const auto kept = got.substr(0, got.size() - 3);
    EXPECT_LE(kept.size(), max);
    EXPECT_EQ(text.compare(0, kept.size(), kept), 0);
    EXPECT_EQ(code_points(kept) , code_points(text.substr(0, kept.size())));
    // the next byte of the original starts a character
    EXPECT_NE(static_cast<unsigned char>(text[kept.size()]) & 0xC0, 0x80) << max;
  }
}

}  // namespace
