#pragma once
// Test-only signing: an RSA key generated at test time, its JWKS, and JWTs signed with it or
// with an HMAC secret.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include <boost/json.hpp>
#include <stdexcept>
#include <string>

#include "core/base64.hpp"

namespace testkeys {

class RsaKey {
 public:
  RsaKey() : key_(EVP_RSA_gen(2048)) {
    if (!key_) throw std::runtime_error("EVP_RSA_gen failed");
  }
  ~RsaKey() { EVP_PKEY_free(key_); }
  RsaKey(const RsaKey&) = delete;
  RsaKey& operator=(const RsaKey&) = delete;

  boost::json::object jwk(const std::string& kid) const {
    return {{"kty", "RSA"}, {"kid", kid}, {"alg", "RS256"}, {"use", "sig"},
            {"n", core::base64url_encode(bn(OSSL_PKEY_PARAM_RSA_N))},
            {"e", core::base64url_encode(bn(OSSL_PKEY_PARAM_RSA_E))}};
  }

  std::string sign(const std::string& input) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    std::size_t len = 0;
    std::string sig;
    if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_) == 1 &&
        EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1) {
      sig.resize(len);
      EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size());
      sig.resize(len);
    }
    EVP_MD_CTX_free(ctx);
    return sig;
  }

 private:
  std::string bn(const char* name) const {
    BIGNUM* b = nullptr;
    EVP_PKEY_get_bn_param(key_, name, &b);
    std::string out(BN_num_bytes(b), '\0');
    BN_bn2bin(b, reinterpret_cast<unsigned char*>(out.data()));
    BN_free(b);
    return out;
  }
  EVP_PKEY* key_;
};

inline std::string jwks(std::initializer_list<boost::json::object> keys) {
  boost::json::array a;
  for (const auto& k : keys) a.push_back(k);
  return boost::json::serialize(boost::json::object{{"keys", a}});
}

inline std::string hmac(const std::string& secret, const std::string& input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return std::string(reinterpret_cast<char*>(mac), len);
}

inline std::string part(const boost::json::object& o) {
  return core::base64url_encode(boost::json::serialize(o));
}

inline std::string hs256(const std::string& secret, const boost::json::object& payload,
                         boost::json::object header = {{"alg", "HS256"}, {"typ", "JWT"}}) {
  const std::string input = part(header) + "." + part(payload);
  return input + "." + core::base64url_encode(hmac(secret, input));
}

inline std::string rs256(const RsaKey& key, const std::string& kid, const boost::json::object& payload) {
  const std::string input = part({{"alg", "RS256"}, {"kid", kid}}) + "." + part(payload);
  return input + "." + core::base64url_encode(key.sign(input));
}

}  // namespace testkeys
