#include "auth/jwks.hpp"

#include <gtest/gtest.h>

#include "test_keys.hpp"

namespace {

namespace json = boost::json;

TEST(Jwks, FindsKeysByKid) {
  testkeys::RsaKey a, b;
  auto set = auth::Jwks::parse(testkeys::jwks({a.jwk("a"), b.jwk("b")}));
  ASSERT_TRUE(set);
  EXPECT_EQ(set->size(), 2u);
  EXPECT_NE(set->find("a"), nullptr);
  EXPECT_NE(set->find("b"), nullptr);
  EXPECT_EQ(set->find("c"), nullptr);
  // Without a kid only a one-key set answers.
  EXPECT_EQ(set->find(""), nullptr);
  auto one = auth::Jwks::parse(testkeys::jwks({a.jwk("a")}));
  EXPECT_NE(one->find(""), nullptr);
}

TEST(Jwks, SkipsKeysThatAreNotRs256SigningKeys) {
  testkeys::RsaKey a, b;
  auto enc = b.jwk("enc");
  enc["use"] = "enc";
  auto ec = json::object{{"kty", "EC"}, {"kid", "ec"}, {"crv", "P-256"}, {"x", "AA"}, {"y", "AA"}};
  auto set = auth::Jwks::parse(testkeys::jwks({a.jwk("a"), enc, ec}));
  ASSERT_TRUE(set);
  EXPECT_EQ(set->size(), 1u);
  EXPECT_EQ(set->find("enc"), nullptr);
}

TEST(Jwks, RefusesWhatIsNotAKeySetWithAClearReason) {
  std::string why;
  EXPECT_FALSE(auth::Jwks::parse("not json", &why));
  EXPECT_EQ(why, "not a JSON object");
  EXPECT_FALSE(auth::Jwks::parse(R"({"keys":{}})", &why));
  EXPECT_FALSE(auth::Jwks::parse(R"({"keys":[]})", &why));
  EXPECT_EQ(why, "no RSA signing key (kty RSA, alg RS256)");
  EXPECT_FALSE(auth::Jwks::parse(R"({"keys":[{"kty":"RSA","kid":"x","n":"a+b","e":"AQAB"}]})", &why));
  // A 1032-bit modulus (e = 65537): too short to trust.
  EXPECT_FALSE(auth::Jwks::parse(testkeys::jwks({json::object{{"kty", "RSA"}, {"n", std::string(171, 'w') + "Q"}, {"e", "AQAB"}}}), &why));
  EXPECT_EQ(why, "key 1: an RSA key needs at least 2048 bits");
  EXPECT_FALSE(auth::Jwks::load("/nonexistent/jwks.json", &why));
  EXPECT_EQ(why, "cannot read /nonexistent/jwks.json");
}

}  // namespace
