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

// RFC 4648 §10, in both forms: standard with padding, URL without.
TEST(Base64, Rfc4648VectorsInBothForms) {
  struct Vector { const char* plain; const char* standard; const char* url; };
  for (auto [plain, standard, url] : {Vector{"", "", ""}, Vector{"f", "Zg==", "Zg"}, Vector{"fo", "Zm8=", "Zm8"},
                                      Vector{"foo", "Zm9v", "Zm9v"}, Vector{"foob", "Zm9vYg==", "Zm9vYg"},
                                      Vector{"fooba", "Zm9vYmE=", "Zm9vYmE"}, Vector{"foobar", "Zm9vYmFy", "Zm9vYmFy"}}) {
    EXPECT_EQ(base64_encode(plain), standard);
    EXPECT_EQ(base64_decode(standard).value_or("!"), plain);
    EXPECT_EQ(base64url_encode(plain), url);
    EXPECT_EQ(base64url_decode(url).value_or("!"), plain);
  }
  EXPECT_EQ(base64_decode(base64_encode(std::string("\0\xff\x80", 3))).value(), std::string("\0\xff\x80", 3));
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
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
