#include "gateway/utf8_validator.hpp"

#include <string>

#include <gtest/gtest.h>

namespace gateway {
namespace {

bool valid(const std::string& s) {
  Utf8Validator v;
  return v.feed(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()) && v.complete();
}

TEST(Utf8Validator, AcceptsValidText) {
  EXPECT_TRUE(valid(""));
  EXPECT_TRUE(valid("plain ascii"));
  EXPECT_TRUE(valid("h\xc3\xa9llo"));              // é
  EXPECT_TRUE(valid("\xe2\x82\xac"));              // €
  EXPECT_TRUE(valid("\xf0\x9f\x98\x80"));          // 😀
  EXPECT_TRUE(valid("\xf4\x8f\xbf\xbf"));          // U+10FFFF
  EXPECT_TRUE(valid("\xef\xbb\xbf"));              // BOM
}

TEST(Utf8Validator, RejectsInvalidText) {
  EXPECT_FALSE(valid("\x80"));                     // lone continuation
  EXPECT_FALSE(valid("\xc0\xaf"));                 // overlong '/'
  EXPECT_FALSE(valid("\xe0\x80\xaf"));             // overlong
  EXPECT_FALSE(valid("\xed\xa0\x80"));             // surrogate U+D800
  EXPECT_FALSE(valid("\xf4\x90\x80\x80"));         // past U+10FFFF
  EXPECT_FALSE(valid("\xff"));
  EXPECT_FALSE(valid("\xc3"));                     // truncated
}

TEST(Utf8Validator, ByteByByteKeepsState) {
  const std::string s = "a\xf0\x9f\x98\x80z";
  Utf8Validator v;
  for (std::size_t i = 0; i < s.size(); ++i) {
    ASSERT_TRUE(v.feed(reinterpret_cast<const std::uint8_t*>(&s[i]), 1));
    EXPECT_EQ(v.complete(), i != 1 && i != 2 && i != 3);
  }
}

}  // namespace
}  // namespace gateway
