#include "auth/jwt.hpp"

#include <cmath>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>

#include "core/base64.hpp"

namespace auth {
namespace {

class jwt_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "jwt"; }
  std::string message(int ev) const override {
    switch (static_cast<jwt_errc>(ev)) {
      case jwt_errc::malformed: return "malformed token";
      case jwt_errc::unsupported_alg: return "unsupported signing algorithm";
      case jwt_errc::unknown_key: return "unknown signing key (kid)";
      case jwt_errc::bad_signature: return "bad signature";
      case jwt_errc::expired: return "token expired";
      case jwt_errc::not_yet_valid: return "token not yet valid";
      case jwt_errc::wrong_issuer: return "wrong issuer";
      case jwt_errc::wrong_audience: return "wrong audience";
      case jwt_errc::wrong_token_use: return "wrong token_use";
    }
    return "unknown jwt error";
  }
};

constexpr std::size_t max_token_bytes = 8192;

std::optional<boost::json::object> json_object(std::string_view part) {
  auto bytes = core::base64url_decode(part);
  if (!bytes) return std::nullopt;
  boost::system::error_code ec;
  auto v = boost::json::parse(*bytes, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

// A string member: nothing when absent; `bad` set when present with another type.
std::optional<std::string> string_claim(const boost::json::object& o, std::string_view key, bool& bad) {
  auto it = o.find(key);
  if (it == o.end()) return std::nullopt;
  if (!it->value().is_string()) {
    bad = true;
    return std::nullopt;
  }
  return std::string(it->value().get_string());
}

// A NumericDate (RFC 7519 §2): seconds, possibly fractional; truncated.
std::optional<std::int64_t> time_claim(const boost::json::object& o, std::string_view key, bool& bad) {
  auto it = o.find(key);
  if (it == o.end()) return std::nullopt;
  const auto& v = it->value();
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v.get_uint64());
  if (v.is_double() && std::isfinite(v.get_double()) && std::abs(v.get_double()) < 9e15)
    return static_cast<std::int64_t>(v.get_double());
  bad = true;
  return std::nullopt;
}

bool hs256_ok(std::string_view secret, std::string_view input, std::string_view sig) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len))
    return false;
  return sig.size() == len && CRYPTO_memcmp(mac, sig.data(), len) == 0;
}

bool rs256_ok(EVP_PKEY* key, std::string_view input, std::string_view sig) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return false;
  const bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

bool audience_matches(const boost::json::object& payload, const std::string& wanted) {
  if (auto it = payload.find("aud"); it != payload.end()) {
    if (it->value().is_string() && it->value().get_string() == wanted) return true;
    if (it->value().is_array())
      for (const auto& a : it->value().get_array())
        if (a.is_string() && a.get_string() == wanted) return true;
  }
  // Cognito access tokens carry the app client in client_id instead of aud.
  if (auto it = payload.find("client_id"); it != payload.end())
    return it->value().is_string() && it->value().get_string() == wanted;
  return false;
}

}  // namespace

const boost::system::error_category& jwt_category() noexcept {
  static const jwt_category_impl instance;
  return instance;
}

core::result<Claims> Verifier::verify(std::string_view token,
                                      std::chrono::system_clock::time_point now) const {
  if (token.empty() || token.size() > max_token_bytes) return jwt_errc::malformed;
  const auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return jwt_errc::malformed;
  const auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
    return jwt_errc::malformed;
  const auto header = json_object(token.substr(0, dot1));
  auto payload = json_object(token.substr(dot1 + 1, dot2 - dot1 - 1));
  const auto signature = core::base64url_decode(token.substr(dot2 + 1));
  if (!header || !payload || !signature) return jwt_errc::malformed;

  // The header: alg decides the check, and must match a configured kind of key.
  bool bad = false;
  const auto alg = string_claim(*header, "alg", bad);
  const auto kid = string_claim(*header, "kid", bad);
  if (bad || !alg) return jwt_errc::malformed;
  if (header->contains("crit")) return jwt_errc::unsupported_alg;  // RFC 7515 §4.1.11
  const std::string_view signing_input = token.substr(0, dot2);
  if (*alg == "HS256") {
    if (config_.hs256_secret.empty()) return jwt_errc::unsupported_alg;
    if (!hs256_ok(config_.hs256_secret, signing_input, *signature)) return jwt_errc::bad_signature;
  } else if (*alg == "RS256") {
    if (config_.jwks.empty()) return jwt_errc::unsupported_alg;
    const PublicKey* key = config_.jwks.find(kid.value_or(""));
    if (!key) return jwt_errc::unknown_key;
    if (!rs256_ok(key->get(), signing_input, *signature)) return jwt_errc::bad_signature;
  } else {
    return jwt_errc::unsupported_alg;
  }

  // The claims, only once the signature holds.
  Claims c;
  c.alg = *alg;
  const auto sub = string_claim(*payload, "sub", bad);
  const auto iss = string_claim(*payload, "iss", bad);
  const auto token_use = string_claim(*payload, "token_use", bad);
  c.exp = time_claim(*payload, "exp", bad);
  const auto nbf = time_claim(*payload, "nbf", bad);
  const auto iat = time_claim(*payload, "iat", bad);
  for (const char* key : {"cognito:username", "preferred_username", "name", "username"}) {
    if (auto n = string_claim(*payload, key, bad); n && !n->empty() && c.name.empty()) c.name = *n;
  }
  if (bad) return jwt_errc::malformed;

  const std::int64_t t = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::int64_t leeway = config_.leeway.count();
  // A token without an expiry would be valid forever: refused.
  if (!c.exp || t - leeway >= *c.exp) return jwt_errc::expired;
  if (nbf && t + leeway < *nbf) return jwt_errc::not_yet_valid;
  if (iat && t + leeway < *iat) return jwt_errc::not_yet_valid;
  if (!config_.issuer.empty() && iss.value_or("") != config_.issuer) return jwt_errc::wrong_issuer;
  if (!config_.audience.empty() && !audience_matches(*payload, config_.audience))
    return jwt_errc::wrong_audience;
  if (token_use && *token_use != "id" && *token_use != "access") return jwt_errc::wrong_token_use;

  c.sub = sub.value_or("");
  c.iss = iss.value_or("");
  c.token_use = token_use.value_or("");
  c.payload = std::move(*payload);
  return c;
}

}  // namespace auth
