#include "core/base64.hpp"

#include <openssl/evp.h>

#include <random>

#include <gtest/gtest.h>

namespace {

using core::Base64;
using core::Base64Bits;
using core::base64_decode;
using core::base64_encode;
using core::base64url_decode;
using core::base64url_encode;

// RFC 4648 §10, in the URL alphabet without padding.
TEST(Base64url, EncodesTheRfc4648Vectors) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64url, DecodesTheRfc4648Vectors) {
  for (const char* s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"})
    EXPECT_EQ(base64url_decode(base64url_encode(s)), std::string(s));
}

TEST(Base64url, UsesTheUrlAlphabet) {
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("-_8"), std::string("\xfb\xff"));
}

TEST(Base64url, RefusesPaddingAndTheStandardAlphabet) {
  EXPECT_FALSE(base64url_decode("Zg=="));
  EXPECT_FALSE(base64url_decode("Zm8="));
  EXPECT_FALSE(base64url_decode("+/8"));
  EXPECT_FALSE(base64url_decode("Zm 9v"));
  EXPECT_FALSE(base64url_decode(std::string_view("Zm\0v", 4)));
}

TEST(Base64url, RefusesALengthOfOneModFour) { EXPECT_FALSE(base64url_decode("Zm9vY")); }

TEST(Base64url, RefusesNonZeroTrailingBitsSoEachValueHasOneSpelling) {
  EXPECT_TRUE(base64url_decode("Zg"));
  EXPECT_FALSE(base64url_decode("Zh"));
  EXPECT_TRUE(base64url_decode("Zm8"));
  EXPECT_FALSE(base64url_decode("Zm9"));
}

// RFC 4648 §10, standard alphabet with padding: DynamoDB's B values and the WebSocket handshake.
TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> v[] = {{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
                                                   {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (auto [plain, enc] : v) {
    EXPECT_EQ(base64_encode(plain), enc);
    EXPECT_EQ(base64_decode(enc).value_or("!"), plain);
  }
  EXPECT_EQ(base64_decode(base64_encode(std::string("\0\xff\x80", 3))).value(), std::string("\0\xff\x80", 3));
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
}

TEST(Base64, RefusesWhatNoEncoderWrites) {
  EXPECT_FALSE(base64_decode("Zm9"));        // padding missing
  EXPECT_FALSE(base64_decode("Zg"));
  EXPECT_FALSE(base64_decode("Zm=v"));       // padding inside
  EXPECT_FALSE(base64_decode("Zm9v\n"));     // whitespace
  EXPECT_FALSE(base64_decode("Z==="));       // six bits are not a byte
  EXPECT_FALSE(base64_decode("===="));
  EXPECT_FALSE(base64_decode("Zg==Zg=="));   // padding before the end
  EXPECT_FALSE(base64_decode("-_8="));       // the URL alphabet
  EXPECT_FALSE(base64_decode("Zh=="));       // stray bits after the last byte
  EXPECT_FALSE(base64_decode("Zm9="));
}

TEST(Base64, AnyBitsLetsStrayBitsThrough) {
  EXPECT_EQ(base64_decode("Zh==", Base64::standard, Base64Bits::any), std::string("f"));
  EXPECT_EQ(base64_decode("Zm9=", Base64::standard, Base64Bits::any), std::string("fo"));
  EXPECT_FALSE(base64_decode("Z===", Base64::standard, Base64Bits::any));
  EXPECT_FALSE(base64url_decode("Zg=="));
}

// The codec against OpenSSL's on random bytes of every length up to 64: same text out, and
// the text back to the same bytes.
TEST(Base64, AgreesWithOpenSsl) {
  std::mt19937 rng(20261207);
  for (int len = 0; len <= 64; ++len) {
    for (int round = 0; round < 20; ++round) {
      std::string bytes(static_cast<std::size_t>(len), '\0');
      for (auto& c : bytes) c = static_cast<char>(rng());
      std::string theirs(4 * ((bytes.size() + 2) / 3) + 1, '\0');
      const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(theirs.data()),
                                    reinterpret_cast<const unsigned char*>(bytes.data()), len);
      theirs.resize(static_cast<std::size_t>(n));
      ASSERT_EQ(base64_encode(bytes), theirs);
      ASSERT_EQ(base64_decode(theirs), bytes);
      std::string url = theirs;
      for (auto& c : url) c = c == '+' ? '-' : c == '/' ? '_' : c;
      while (!url.empty() && url.back() == '=') url.pop_back();
      ASSERT_EQ(base64url_encode(bytes), url);
      ASSERT_EQ(base64url_decode(url), bytes);
    }
  }
}

}  // namespace
