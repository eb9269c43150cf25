#pragma once
// The RSA public keys of a JSON Web Key Set (RFC 7517), as Cognito publishes them at
// https://cognito-idp.{region}.amazonaws.com/{userPoolId}/.well-known/jwks.json.
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"

typedef struct evp_pkey_st EVP_PKEY;

namespace auth {

// One verification key. Shared, immutable after loading: safe to use from every thread.
class PublicKey {
 public:
  explicit PublicKey(EVP_PKEY* key) : key_(key) {}
  ~PublicKey();
  PublicKey(const PublicKey&) = delete;
  PublicKey& operator=(const PublicKey&) = delete;
  EVP_PKEY* get() const { return key_; }

 private:
  EVP_PKEY* key_;
};

class Jwks {
 public:
  // Keys with kty "RSA", use absent or "sig", alg absent or "RS256"; others are skipped.
  // invalid_argument when the text is not a JWKS or holds no usable key.
  static core::result<Jwks> parse(std::string_view json, std::string* why = nullptr);
  static core::result<Jwks> load(const std::string& path, std::string* why = nullptr);

  // The key named `kid`; with an empty kid, the only key of a one-key set. nullptr otherwise.
  const PublicKey* find(std::string_view kid) const;
  std::size_t size() const { return keys_.size(); }
  bool empty() const { return keys_.empty(); }

 private:
  std::map<std::string, std::shared_ptr<const PublicKey>, std::less<>> keys_;
};

}  // namespace auth
