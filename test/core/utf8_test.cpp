#include "core/utf8.hpp"

#include <string>

#include <gtest/gtest.h>

namespace core {
namespace {

// Both ways in must agree: the incremental validator fed in one go, and valid_utf8.
bool valid(const std::string& s) {
  Utf8Validator v;
  const bool fed = v.feed(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()) && v.complete();
  EXPECT_EQ(fed, valid_utf8(s)) << s;
  return fed;
}

TEST(Utf8Validator, AcceptsValidText) {
  EXPECT_TRUE(valid(""));
  EXPECT_TRUE(valid("plain ascii"));
  EXPECT_TRUE(valid("h\xc3\xa9llo"));              // é
  EXPECT_TRUE(valid("\xe2\x82\xac"));              // €
  EXPECT_TRUE(valid("\xf0\x9f\x98\x80"));          // 😀
  EXPECT_TRUE(valid("\xf4\x8f\xbf\xbf"));          // U+10FFFF
  EXPECT_TRUE(valid("\xef\xbb\xbf"));              // BOM
  EXPECT_TRUE(valid("zo\xc3\xab \xe2\x9c\x93 \xf0\x9f\x98\x80"));  // mixed widths
}

TEST(Utf8Validator, RejectsInvalidText) {
  EXPECT_FALSE(valid("\x80"));                     // lone continuation
  EXPECT_FALSE(valid("\xc0\xaf"));                 // overlong '/'
  EXPECT_FALSE(valid("\xe0\x80\xaf"));             // overlong
  EXPECT_FALSE(valid("\xed\xa0\x80"));             // surrogate U+D800
  EXPECT_FALSE(valid("\xf4\x90\x80\x80"));         // past U+10FFFF
  EXPECT_FALSE(valid("\xff"));
  EXPECT_FALSE(valid("\xc3"));                     // truncated
  EXPECT_FALSE(valid("a\xc3"));                    // cut short after ASCII
  EXPECT_FALSE(valid("\xe2\x28\xa1"));             // continuation expected, ASCII found
  EXPECT_FALSE(valid("\xf8\x88\x80\x80\x80"));     // five-byte form (RFC 2279, not 3629)
}

TEST(Utf8Validator, ByteByByteKeepsState) {
  const std::string s = "a\xf0\x9f\x98\x80z";
  Utf8Validator v;
  for (std::size_t i = 0; i < s.size(); ++i) {
    ASSERT_TRUE(v.feed(reinterpret_cast<const std::uint8_t*>(&s[i]), 1));
    EXPECT_EQ(v.complete(), i != 1 && i != 2 && i != 3);
  }
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

TEST(Utf8Prefix, NeverCutsACharacterInTwo) {
  const std::string s = "a\xE2\x82\xAC\xE2\x82\xAC";  // a € €
  EXPECT_EQ(utf8_prefix(s, 100), s);
  EXPECT_EQ(utf8_prefix(s, 7), s);
  EXPECT_EQ(utf8_prefix(s, 6), "a\xE2\x82\xAC");
  EXPECT_EQ(utf8_prefix(s, 4), "a\xE2\x82\xAC");
  EXPECT_EQ(utf8_prefix(s, 3), "a");
  EXPECT_EQ(utf8_prefix(s, 1), "a");
  EXPECT_EQ(utf8_prefix(s, 0), "");
  EXPECT_EQ(utf8_prefix("\xF0\x9F\x98\x80", 3), "");
}

}  // namespace
}  // namespace core
