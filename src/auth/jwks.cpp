#include "auth/jwks.hpp"

#include <fstream>
#include <sstream>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <boost/json.hpp>

#include "core/base64.hpp"

namespace auth {
namespace {

std::string str(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  return std::string(it->value().get_string());
}

// An RSA public key from the big-endian modulus and exponent; nullptr when OpenSSL refuses it.
EVP_PKEY* rsa_from(const std::string& n, const std::string& e) {
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY_CTX* ctx = nullptr;
  EVP_PKEY* key = nullptr;
  if (bn_n && bn_e && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1 &&
      (params = OSSL_PARAM_BLD_to_param(bld)) != nullptr &&
      (ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr)) != nullptr &&
      EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) key = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);
  return key;
}

}  // namespace

PublicKey::~PublicKey() { EVP_PKEY_free(key_); }

core::result<Jwks> Jwks::parse(std::string_view json, std::string* why) {
  auto fail = [why](std::string m) -> core::result<Jwks> {
    if (why) *why = std::move(m);
    return core::errc::invalid_argument;
  };
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) return fail("not a JSON object");
  auto it = v.get_object().find("keys");
  if (it == v.get_object().end() || !it->value().is_array()) return fail("no \"keys\" array");
  Jwks set;
  std::size_t index = 0;
  for (const auto& k : it->value().get_array()) {
    ++index;
    if (!k.is_object()) continue;
    const auto& o = k.get_object();
    if (str(o, "kty") != "RSA") continue;
    if (auto use = str(o, "use"); !use.empty() && use != "sig") continue;
    if (auto alg = str(o, "alg"); !alg.empty() && alg != "RS256") continue;
    auto n = core::base64url_decode(str(o, "n"));
    auto e = core::base64url_decode(str(o, "e"));
    if (!n || !e || n->empty() || e->empty())
      return fail("key " + std::to_string(index) + ": \"n\" and \"e\" must be base64url");
    EVP_PKEY* key = rsa_from(*n, *e);
    if (!key) return fail("key " + std::to_string(index) + ": not a valid RSA public key");
    // Shorter moduli are breakable; Cognito's keys are 2048 bits.
    if (EVP_PKEY_get_bits(key) < 2048) {
      EVP_PKEY_free(key);
      return fail("key " + std::to_string(index) + ": an RSA key needs at least 2048 bits");
    }
    set.keys_[str(o, "kid")] = std::make_shared<const PublicKey>(key);
  }
  if (set.keys_.empty()) return fail("no RSA signing key (kty RSA, alg RS256)");
  return set;
}

core::result<Jwks> Jwks::load(const std::string& path, std::string* why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (why) *why = "cannot read " + path;
    return core::errc::invalid_argument;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), why);
}

const PublicKey* Jwks::find(std::string_view kid) const {
  if (kid.empty()) return keys_.size() == 1 ? keys_.begin()->second.get() : nullptr;
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : it->second.get();
}

}  // namespace auth
