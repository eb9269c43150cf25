#include "auth/guest_authorizer.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

#include <boost/json.hpp>
#include "core/base64.hpp"
#include "auth/jwt_authorizer.hpp"

namespace auth {
namespace {

VerifierConfig guest_verifier_config(const std::string& key) {
  VerifierConfig v;
  v.hs256_secret = key;
  v.issuer = std::string(guest_issuer);
  return v;
}

std::int64_t seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string sign_hs256(const boost::json::object& payload, std::string_view secret) {
  const std::string input = core::base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." +
                            core::base64url_encode(boost::json::serialize(payload));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len))
    throw std::runtime_error("HMAC-SHA256 failed");
  return input + "." + core::base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

std::string new_guest_id() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes for a guest id");
  return "g_" + core::base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

GuestAuthorizer::GuestAuthorizer(std::string key)
    : key_(std::move(key)), verifier_(guest_verifier_config(key_)) {
  if (key_.size() < 32) throw std::invalid_argument("the guest key must be at least 32 bytes long");
}

std::string GuestAuthorizer::issue(const std::string& guest_id,
                                   std::chrono::system_clock::time_point now) const {
  boost::json::object claims;
  claims["iss"] = guest_issuer;
  claims["sub"] = guest_id;
  claims["iat"] = seconds(now);
  claims["exp"] = seconds(now + guest_token_lifetime);
  return sign_hs256(claims, key_);
}

std::string guest_token_of(const gateway::Handshake& h) { return query_parameter(h, "guest"); }

gateway::AuthDecision GuestAuthorizer::authorize(const gateway::Handshake& handshake) const {
  gateway::AuthDecision d;
  std::string guest_id;
  if (const std::string token = guest_token_of(handshake); token.empty()) {
    guest_id = new_guest_id();  // a first visit, or a guest who lost the token: a new guest
  } else {
    auto claims = verifier_.verify(token);
    if (!claims || claims->sub.rfind("g_", 0) != 0) {
      d.outcome = gateway::AuthDecision::Outcome::forbidden;
      d.reason = claims ? "guest token without a guest id" : "guest token: " + claims.error().message();
      return d;
    }
    guest_id = claims->sub;
  }
  d.outcome = gateway::AuthDecision::Outcome::allow;
  d.principal_id = guest_id;
  d.context.emplace_back("userId", guest_id);
  d.context.emplace_back("guest", "true");
  // Reissued on every connect: a returning guest's token never runs out.
  d.context.emplace_back("guestToken", issue(guest_id));
  return d;
}

std::string GuestAuthorizer::describe() const {
  return "none (anonymous guests, each with a signed guest token; for local development)";
}

}  // namespace auth
