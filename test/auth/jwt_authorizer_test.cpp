#include "auth/jwt_authorizer.hpp"

#include <gtest/gtest.h>

#include "test_keys.hpp"

namespace {

using Outcome = gateway::AuthDecision::Outcome;
const std::string secret = "0123456789abcdef0123456789abcdef";

auth::JwtAuthorizer authorizer() {
  auth::VerifierConfig c;
  c.hs256_secret = secret;
  return auth::JwtAuthorizer(c);
}

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string good_token(boost::json::object extra = {}) {
  boost::json::object c{{"sub", "user-42"}, {"exp", now_s() + 300}, {"cognito:username", "ann"},
                        {"iss", "https://issuer"}, {"token_use", "id"}};
  for (auto& [k, v] : extra) c[k] = v;
  return testkeys::hs256(secret, c);
}

gateway::Handshake with_query(const std::string& query) {
  gateway::Handshake h;
  h.target = "/dev?" + query;
  return h;
}

TEST(JwtAuthorizer, TakesTheTokenFromTheQueryString) {
  auto d = authorizer().authorize(with_query("room=lobby&token=" + good_token()));
  EXPECT_EQ(d.outcome, Outcome::allow) << d.reason;
  EXPECT_EQ(d.principal_id, "user-42");
}

TEST(JwtAuthorizer, TakesTheTokenFromABearerAuthorizationHeader) {
  gateway::Handshake h;
  h.target = "/dev";
  h.headers = {{"authorization", "Bearer " + good_token()}};
  EXPECT_EQ(authorizer().authorize(h).outcome, Outcome::allow);
}

TEST(JwtAuthorizer, AMissingTokenIsUnauthorized) {
  gateway::Handshake h;
  h.target = "/dev?name=ann";
  EXPECT_EQ(authorizer().authorize(h).outcome, Outcome::unauthorized);
  h.headers = {{"Authorization", "Basic YW5uOnB3"}};
  EXPECT_EQ(authorizer().authorize(h).outcome, Outcome::unauthorized);
  EXPECT_EQ(authorizer().authorize(with_query("token=")).outcome, Outcome::unauthorized);
}

TEST(JwtAuthorizer, ABadTokenIsForbidden) {
  EXPECT_EQ(authorizer().authorize(with_query("token=abc.def.ghi")).outcome, Outcome::forbidden);
  EXPECT_EQ(authorizer().authorize(with_query("token=" + testkeys::hs256("x", {{"sub", "u"}}))).outcome,
            Outcome::forbidden);
}

TEST(JwtAuthorizer, ATokenWithoutSubIsForbidden) {
  auto t = testkeys::hs256(secret, {{"exp", now_s() + 300}});
  EXPECT_EQ(authorizer().authorize(with_query("token=" + t)).outcome, Outcome::forbidden);
}

TEST(JwtAuthorizer, TheContextCarriesUserIdNameIssuerAndTokenUseAsStrings) {
  auto d = authorizer().authorize(with_query("token=" + good_token()));
  ASSERT_EQ(d.outcome, Outcome::allow);
  auto o = gateway::authorizer_context(d, 3);
  EXPECT_EQ(o.at("principalId"), "user-42");
  EXPECT_EQ(o.at("integrationLatency"), 3);
  EXPECT_EQ(o.at("userId"), "user-42");
  EXPECT_EQ(o.at("name"), "ann");
  EXPECT_EQ(o.at("iss"), "https://issuer");
  EXPECT_EQ(o.at("tokenUse"), "id");
  EXPECT_TRUE(o.at("exp").is_string());
}

TEST(JwtAuthorizer, DescribesItsModeForTheBanner) {
  EXPECT_EQ(authorizer().describe(), "jwt (HS256)");
}

}  // namespace
