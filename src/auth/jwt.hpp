#pragma once
// Verification of a JSON Web Token in JWS compact form (RFC 7519, RFC 7515): HS256 with a
// shared secret, RS256 with the keys of a JWKS (Cognito user pools). Only these two algorithms;
// "none" and everything else is refused, and the algorithm must match the kind of key
// configured, so an RS256 public key can never be used as an HMAC secret.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "auth/jwks.hpp"
#include "core/error.hpp"

namespace auth {

enum class jwt_errc {
  malformed = 1,       // not three base64url parts of JSON objects, or a claim of the wrong type
  unsupported_alg,     // alg is not HS256/RS256, or no key of that kind is configured; crit set
  unknown_key,         // RS256 with a kid the JWKS does not hold
  bad_signature,
  expired,             // exp (plus leeway) is past; also: no exp at all
  not_yet_valid,       // nbf or iat (minus leeway) is in the future
  wrong_issuer,
  wrong_audience,      // neither aud nor client_id is the configured audience
  wrong_token_use,     // token_use present and neither "id" nor "access"
};
const boost::system::error_category& jwt_category() noexcept;
inline boost::system::error_code make_error_code(jwt_errc e) noexcept {
  return {static_cast<int>(e), jwt_category()};
}

struct VerifierConfig {
  std::string hs256_secret;  // empty: HS256 refused
  Jwks jwks;                 // empty: RS256 refused
  std::string issuer;        // empty: any iss
  std::string audience;      // empty: any aud / client_id
  std::chrono::seconds leeway{60};
};

struct Claims {
  std::string alg;
  std::string sub;
  std::string name;  // cognito:username, else preferred_username, else name, else username
  std::string iss;
  std::string token_use;
  std::optional<std::int64_t> exp;
  boost::json::object payload;  // every claim as received
};

class Verifier {
 public:
  explicit Verifier(VerifierConfig config) : config_(std::move(config)) {}
  core::result<Claims> verify(std::string_view token,
                              std::chrono::system_clock::time_point now =
                                  std::chrono::system_clock::now()) const;
  const VerifierConfig& config() const { return config_; }

 private:
  VerifierConfig config_;
};

}  // namespace auth

namespace boost::system {
template <>
struct is_error_code_enum<::auth::jwt_errc> : std::true_type {};
}  // namespace boost::system
