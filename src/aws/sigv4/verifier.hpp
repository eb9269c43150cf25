#pragma once
// Server side of SigV4: recomputes a request's signature from its raw form and compares it in
// constant time (the management API accepts only signed calls, as API Gateway's IAM auth does).
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "aws/sigv4/signer.hpp"
#include "core/error.hpp"

namespace aws::sigv4 {

enum class verify_errc {
  missing_authentication = 1,  // no Authorization header (AWS: MissingAuthenticationToken)
  incomplete_signature,        // malformed Authorization, or X-Amz-Date missing / not signed
  unknown_access_key,          // lookup found no secret (AWS: UnrecognizedClientException)
  scope_mismatch,              // wrong service or region, or scope date != X-Amz-Date
  signature_expired,           // X-Amz-Date further than max_skew from now
  signature_mismatch,          // AWS: InvalidSignatureException / SignatureDoesNotMatch
  payload_hash_mismatch,       // x-amz-content-sha256 is not the body's hash (or is UNSIGNED-PAYLOAD)
};
const boost::system::error_category& verify_category() noexcept;
inline boost::system::error_code make_error_code(verify_errc e) noexcept {
  return {static_cast<int>(e), verify_category()};
}

struct Verified {
  std::string access_key_id;
  std::string region;
  std::string service;
  std::string amz_date;
};

using CredentialLookup = std::function<std::optional<Credentials>(std::string_view access_key_id)>;

struct VerifyOptions {
  std::string service;  // required match
  std::string region;   // empty: any region
  std::chrono::seconds max_skew{300};  // AWS rejects requests older (or newer) than 5 minutes
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  bool normalize_path = true;
  // A declared x-amz-content-sha256 of UNSIGNED-PAYLOAD leaves the body unprotected: refused
  // unless allowed. Any other declared hash must be the body's.
  bool allow_unsigned_payload = false;
};

// `req.path` and `req.query` must be the raw (undecoded) request target, as the client signed it.
core::result<Verified> verify(const Request& req, const CredentialLookup& lookup,
                              const VerifyOptions& opts);

}  // namespace aws::sigv4

namespace boost::system {
template <>
struct is_error_code_enum<::aws::sigv4::verify_errc> : std::true_type {};
}  // namespace boost::system
