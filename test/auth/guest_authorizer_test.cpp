#include "auth/guest_authorizer.hpp"

#include <gtest/gtest.h>

#include "core/base64.hpp"
#include "test_keys.hpp"

namespace {

using Outcome = gateway::AuthDecision::Outcome;
const std::string key = "0123456789abcdef0123456789abcdef-guest";

gateway::Handshake with_query(const std::string& query) {
  gateway::Handshake h;
  h.target = "/dev?" + query;
  return h;
}

std::string context(const gateway::AuthDecision& d, const std::string& k) {
  for (const auto& [name, value] : d.context)
    if (name == k) return value;
  return {};
}

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

TEST(GuestAuthorizer, WithoutATokenIssuesANewGuestIdentity) {
  const auth::GuestAuthorizer a(key);
  const auto d1 = a.authorize(with_query("name=ann"));
  const auto d2 = a.authorize(with_query("name=ann"));
  ASSERT_EQ(d1.outcome, Outcome::allow);
  EXPECT_EQ(d1.principal_id.substr(0, 2), "g_");
  EXPECT_EQ(d1.principal_id.size(), 24u);
  EXPECT_NE(d1.principal_id, d2.principal_id) << "two guests, two identities";
  EXPECT_EQ(context(d1, "userId"), d1.principal_id);
  EXPECT_EQ(context(d1, "guest"), "true");
  EXPECT_FALSE(context(d1, "guestToken").empty());
}

TEST(GuestAuthorizer, ItsOwnTokenKeepsTheIdentity) {
  const auth::GuestAuthorizer a(key);
  const auto first = a.authorize(with_query(""));
  const auto again = a.authorize(with_query("guest=" + context(first, "guestToken") + "&name=x"));
  ASSERT_EQ(again.outcome, Outcome::allow) << again.reason;
  EXPECT_EQ(again.principal_id, first.principal_id);
  // Another server (another key) does not know it.
  const auth::GuestAuthorizer other("another key that is long enough, 32+");
  EXPECT_EQ(other.authorize(with_query("guest=" + context(first, "guestToken"))).outcome, Outcome::forbidden);
}

TEST(GuestAuthorizer, RefusesTamperedExpiredForeignAndNonGuestTokens) {
  const auth::GuestAuthorizer a(key);
  const std::string token = a.issue("g_AAAAAAAAAAAAAAAAAAAAAA");
  const auto dot1 = token.find('.'), dot2 = token.rfind('.');
  const std::string tampered = token.substr(0, dot1 + 1) +
                               core::base64url_encode(R"({"iss":"parley-guest","sub":"g_BBBBBBBBBBBBBBBBBBBBBB","exp":9999999999})") +
                               token.substr(dot2);
  const boost::json::object expired{{"iss", "parley-guest"}, {"sub", "g_x"}, {"exp", now_s() - 3600}};
  const boost::json::object good{{"iss", "parley-guest"}, {"sub", "g_x"}, {"exp", now_s() + 3600}};
  const boost::json::object wrong_iss{{"iss", "elsewhere"}, {"sub", "g_x"}, {"exp", now_s() + 3600}};
  const boost::json::object not_guest{{"iss", "parley-guest"}, {"sub", "ann"}, {"exp", now_s() + 3600}};
  for (const auto& [what, t] : std::vector<std::pair<std::string, std::string>>{
           {"tampered", tampered},
           {"expired", testkeys::hs256(key, expired)},
           {"foreign key", testkeys::hs256("some other key of 32 bytes or more!", good)},
           {"wrong issuer", testkeys::hs256(key, wrong_iss)},
           {"not a guest id", testkeys::hs256(key, not_guest)},
           {"garbage", "x.y.z"}}) {
    const auto d = a.authorize(with_query("guest=" + t));
    EXPECT_EQ(d.outcome, Outcome::forbidden) << what;
    EXPECT_TRUE(d.principal_id.empty()) << what;
  }
  EXPECT_EQ(a.authorize(with_query("guest=" + testkeys::hs256(key, good))).outcome, Outcome::allow);
}

TEST(GuestAuthorizer, TokensExpireAfterTheirLifetime) {
  const auth::GuestAuthorizer a(key);
  const auto long_ago = std::chrono::system_clock::now() - auth::guest_token_lifetime - std::chrono::hours(1);
  EXPECT_EQ(a.authorize(with_query("guest=" + a.issue("g_old", long_ago))).outcome, Outcome::forbidden);
  const auto recently = std::chrono::system_clock::now() - std::chrono::hours(1);
  EXPECT_EQ(a.authorize(with_query("guest=" + a.issue("g_recent", recently))).outcome, Outcome::allow);
}

TEST(GuestAuthorizer, RefusesAShortKey) {
  EXPECT_THROW(auth::GuestAuthorizer("too short"), std::invalid_argument);
}

TEST(SignHs256, IsVerifiedByTheVerifier) {
  const boost::json::object claims{{"sub", "u"}, {"exp", now_s() + 60}};
  auth::VerifierConfig c;
  c.hs256_secret = key;
  const auto r = auth::Verifier(c).verify(auth::sign_hs256(claims, key));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->sub, "u");
  EXPECT_EQ(auth::sign_hs256(claims, key), testkeys::hs256(key, claims)) << "the same bytes as the test signer";
}

}  // namespace
