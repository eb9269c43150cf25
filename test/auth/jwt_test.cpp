#include "auth/jwt.hpp"

#include <gtest/gtest.h>

#include "core/base64.hpp"
#include "test_keys.hpp"

namespace {

using auth::jwt_errc;
using auth::Verifier;
using auth::VerifierConfig;
using Clock = std::chrono::system_clock;
namespace json = boost::json;

Clock::time_point at(std::int64_t seconds) { return Clock::time_point(std::chrono::seconds(seconds)); }

// RFC 7515 Appendix A.1 (also RFC 7519 §3.1): HS256, its key as a JWK "k".
constexpr const char* rfc7515_a1_key =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
constexpr const char* rfc7515_a1_token =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

// RFC 7515 Appendix A.2: RS256, the public half of its RSA key.
constexpr const char* rfc7515_a2_n =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4"
    "d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5re"
    "xMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxX"
    "FvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
constexpr const char* rfc7515_a2_token =
    "eyJhbGciOiJSUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5"
    "jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1"
    "L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYE"
    "UipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
constexpr std::int64_t rfc_exp = 1300819380;

Verifier rfc_hs256() {
  VerifierConfig c;
  c.hs256_secret = *core::base64url_decode(rfc7515_a1_key);
  return Verifier(c);
}

Verifier rfc_rs256() {
  VerifierConfig c;
  c.jwks = *auth::Jwks::parse(
      testkeys::jwks({json::object{{"kty", "RSA"}, {"n", rfc7515_a2_n}, {"e", "AQAB"}}}));
  return Verifier(std::move(c));
}

TEST(Jwt, AcceptsTheRfc7515A1Hs256Example) {
  auto c = rfc_hs256().verify(rfc7515_a1_token, at(rfc_exp - 10));
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->alg, "HS256");
  EXPECT_EQ(c->iss, "joe");
  EXPECT_EQ(c->exp, rfc_exp);
  EXPECT_EQ(c->payload.at("http://example.com/is_root"), true);
}

TEST(Jwt, AcceptsTheRfc7515A2Rs256Example) {
  auto c = rfc_rs256().verify(rfc7515_a2_token, at(rfc_exp - 10));
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->alg, "RS256");
  EXPECT_EQ(c->iss, "joe");
}

TEST(Jwt, TheRfcExamplesAreRefusedOnceExpiredBeyondTheLeeway) {
  EXPECT_TRUE(rfc_hs256().verify(rfc7515_a1_token, at(rfc_exp + 59)));
  EXPECT_EQ(rfc_hs256().verify(rfc7515_a1_token, at(rfc_exp + 60)).error(), jwt_errc::expired);
  EXPECT_EQ(rfc_rs256().verify(rfc7515_a2_token, at(rfc_exp + 3600)).error(), jwt_errc::expired);
}

TEST(Jwt, AChangedPayloadBreaksTheRfcSignatures) {
  std::string t = rfc7515_a1_token;
  t[t.find('.') + 5] ^= 1;  // a different, still valid base64url character
  auto r = rfc_hs256().verify(t, at(rfc_exp - 10));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error() == jwt_errc::bad_signature || r.error() == jwt_errc::malformed);
  std::string s = rfc7515_a2_token;
  s[s.size() - 3] = s[s.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(rfc_rs256().verify(s, at(rfc_exp - 10)).error(), jwt_errc::bad_signature);
}

// Properties with tokens made here.
const std::string secret = "0123456789abcdef0123456789abcdef";
const std::int64_t now_s = 1'800'000'000;

Verifier hs(std::string issuer = "", std::string audience = "") {
  VerifierConfig c;
  c.hs256_secret = secret;
  c.issuer = std::move(issuer);
  c.audience = std::move(audience);
  return Verifier(c);
}

json::object claims(json::object extra = {}) {
  json::object o{{"sub", "u-1"}, {"exp", now_s + 300}, {"iat", now_s}};
  for (auto& [k, v] : extra) o[k] = v;
  return o;
}

TEST(Jwt, ATokenSignedWithAnotherSecretIsRefused) {
  auto t = testkeys::hs256("another secret, just as long as it", claims());
  EXPECT_EQ(hs().verify(t, at(now_s)).error(), jwt_errc::bad_signature);
}

TEST(Jwt, AnExpiredTokenIsRefused) {
  auto t = testkeys::hs256(secret, claims({{"exp", now_s - 61}}));
  EXPECT_EQ(hs().verify(t, at(now_s)).error(), jwt_errc::expired);
}

TEST(Jwt, ATokenWithoutExpiryIsRefused) {
  auto c = claims();
  c.erase("exp");
  EXPECT_EQ(hs().verify(testkeys::hs256(secret, c), at(now_s)).error(), jwt_errc::expired);
}

TEST(Jwt, ATokenNotYetValidIsRefused) {
  EXPECT_EQ(hs().verify(testkeys::hs256(secret, claims({{"nbf", now_s + 120}})), at(now_s)).error(),
            jwt_errc::not_yet_valid);
  EXPECT_EQ(hs().verify(testkeys::hs256(secret, claims({{"iat", now_s + 120}})), at(now_s)).error(),
            jwt_errc::not_yet_valid);
}

TEST(Jwt, ASmallClockSkewIsTolerated) {
  EXPECT_TRUE(hs().verify(testkeys::hs256(secret, claims({{"nbf", now_s + 30}})), at(now_s)));
  EXPECT_TRUE(hs().verify(testkeys::hs256(secret, claims({{"exp", now_s - 30}})), at(now_s)));
}

TEST(Jwt, ATokenFromAnotherIssuerIsRefused) {
  auto v = hs("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_pool");
  EXPECT_EQ(v.verify(testkeys::hs256(secret, claims({{"iss", "https://evil"}})), at(now_s)).error(),
            jwt_errc::wrong_issuer);
  EXPECT_EQ(v.verify(testkeys::hs256(secret, claims()), at(now_s)).error(), jwt_errc::wrong_issuer);
  EXPECT_TRUE(v.verify(testkeys::hs256(secret, claims({{"iss", "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_pool"}})),
                       at(now_s)));
}

TEST(Jwt, ATokenForAnotherAudienceIsRefused) {
  auto v = hs("", "client-a");
  EXPECT_EQ(v.verify(testkeys::hs256(secret, claims({{"aud", "client-b"}})), at(now_s)).error(),
            jwt_errc::wrong_audience);
  EXPECT_EQ(v.verify(testkeys::hs256(secret, claims()), at(now_s)).error(), jwt_errc::wrong_audience);
  EXPECT_TRUE(v.verify(testkeys::hs256(secret, claims({{"aud", "client-a"}})), at(now_s)));
  EXPECT_TRUE(v.verify(testkeys::hs256(secret, claims({{"aud", json::array{"x", "client-a"}}})), at(now_s)));
  // Cognito access tokens name the app client in client_id.
  EXPECT_TRUE(v.verify(testkeys::hs256(secret, claims({{"client_id", "client-a"}, {"token_use", "access"}})),
                       at(now_s)));
}

TEST(Jwt, ACognitoTokenUseOtherThanIdOrAccessIsRefused) {
  EXPECT_EQ(hs().verify(testkeys::hs256(secret, claims({{"token_use", "refresh"}})), at(now_s)).error(),
            jwt_errc::wrong_token_use);
}

TEST(Jwt, TheNameComesFromCognitoUsernameThenPreferredUsernameThenName) {
  auto v = hs();
  auto c = v.verify(testkeys::hs256(secret, claims({{"cognito:username", "ann"}, {"preferred_username", "annie"}, {"name", "Ann A"}})), at(now_s));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "ann");
  EXPECT_EQ(v.verify(testkeys::hs256(secret, claims({{"preferred_username", "annie"}, {"name", "Ann A"}})), at(now_s))->name, "annie");
  EXPECT_EQ(v.verify(testkeys::hs256(secret, claims({{"name", "Ann A"}})), at(now_s))->name, "Ann A");
  EXPECT_EQ(v.verify(testkeys::hs256(secret, claims()), at(now_s))->sub, "u-1");
}

TEST(Jwt, TheAlgNoneIsRefused) {
  const std::string t = testkeys::part({{"alg", "none"}}) + "." + testkeys::part(claims()) + ".";
  EXPECT_EQ(hs().verify(t, at(now_s)).error(), jwt_errc::unsupported_alg);
}

TEST(Jwt, OtherAlgorithmsAndCriticalHeadersAreRefused) {
  EXPECT_EQ(hs().verify(testkeys::hs256(secret, claims(), {{"alg", "HS512"}}), at(now_s)).error(),
            jwt_errc::unsupported_alg);
  EXPECT_EQ(hs().verify(testkeys::hs256(secret, claims(), {{"alg", "HS256"}, {"crit", json::array{"exp"}}}), at(now_s)).error(),
            jwt_errc::unsupported_alg);
}

TEST(Jwt, MalformedTokensAreRefused) {
  const auto good = testkeys::hs256(secret, claims());
  for (const std::string& t : {std::string(""), std::string("abc"), std::string("a.b"), good + ".x",
                              std::string("!!.!!.!!"), good + "=", std::string(9000, 'a'),
                              testkeys::part({{"alg", "HS256"}}) + ".bm90IGpzb24." + "AAAA",
                              core::base64url_encode("[1]") + "." + testkeys::part(claims()) + ".AAAA"})
    EXPECT_EQ(hs().verify(t, at(now_s)).error(), jwt_errc::malformed) << t.substr(0, 60);
}

TEST(Jwt, ClaimsOfTheWrongTypeAreRefused) {
  EXPECT_EQ(hs().verify(testkeys::hs256(secret, claims({{"exp", "tomorrow"}})), at(now_s)).error(), jwt_errc::malformed);
  EXPECT_EQ(hs().verify(testkeys::hs256(secret, claims({{"sub", 42}})), at(now_s)).error(), jwt_errc::malformed);
  EXPECT_EQ(hs().verify(testkeys::hs256(secret, claims({{"exp", 1e300}})), at(now_s)).error(), jwt_errc::malformed);
}

// RS256 with a key made for the test.
// RSA key generation takes a while: three keys for the whole suite.
class Rs256 : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    keys_ = new testkeys::RsaKey[3];
    VerifierConfig c;
    c.jwks = *auth::Jwks::parse(testkeys::jwks({keys_[0].jwk("k1"), keys_[1].jwk("k2")}));
    verifier_ = new Verifier(std::move(c));
  }
  static void TearDownTestSuite() {
    delete verifier_;
    delete[] keys_;
  }
  static inline testkeys::RsaKey* keys_ = nullptr;
  static inline Verifier* verifier_ = nullptr;
  const testkeys::RsaKey& key_ = keys_[0];
  const testkeys::RsaKey& other_ = keys_[1];
  const testkeys::RsaKey& stranger_ = keys_[2];
};

TEST_F(Rs256, ATokenSignedByAJwksKeyIsAccepted) {
  auto c = verifier_->verify(testkeys::rs256(key_, "k1", claims()), at(now_s));
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->sub, "u-1");
  EXPECT_TRUE(verifier_->verify(testkeys::rs256(other_, "k2", claims()), at(now_s)));
}

TEST_F(Rs256, ATokenNamingAnUnknownKidIsRefused) {
  EXPECT_EQ(verifier_->verify(testkeys::rs256(key_, "k9", claims()), at(now_s)).error(), jwt_errc::unknown_key);
}

TEST_F(Rs256, ATokenSignedByAKeyOutsideTheJwksIsRefused) {
  EXPECT_EQ(verifier_->verify(testkeys::rs256(stranger_, "k1", claims()), at(now_s)).error(), jwt_errc::bad_signature);
  // Another key of the set under the wrong kid: the kid decides the key.
  EXPECT_EQ(verifier_->verify(testkeys::rs256(other_, "k1", claims()), at(now_s)).error(), jwt_errc::bad_signature);
}

TEST_F(Rs256, AnHs256TokenIsRefusedWhenOnlyAJwksIsConfigured) {
  // Algorithm confusion: no HMAC secret is configured, so no HMAC token can pass.
  EXPECT_EQ(verifier_->verify(testkeys::hs256(secret, claims()), at(now_s)).error(), jwt_errc::unsupported_alg);
}

}  // namespace
