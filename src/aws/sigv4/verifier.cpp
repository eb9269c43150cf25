#include "aws/sigv4/verifier.hpp"

#include <ctime>
#include <vector>

#include "aws/sigv4/crypto.hpp"

namespace aws::sigv4 {
namespace {

class verify_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "sigv4"; }
  std::string message(int ev) const override {
    switch (static_cast<verify_errc>(ev)) {
      case verify_errc::missing_authentication: return "Missing Authentication Token";
      case verify_errc::incomplete_signature: return "Authorization header requires Credential, SignedHeaders, Signature and a signed X-Amz-Date";
      case verify_errc::unknown_access_key: return "The security token included in the request is invalid";
      case verify_errc::scope_mismatch: return "Credential should be scoped to a valid region, service and date";
      case verify_errc::signature_expired: return "Signature expired";
      case verify_errc::signature_mismatch: return "The request signature we calculated does not match the signature you provided";
      case verify_errc::payload_hash_mismatch: return "The provided 'x-amz-content-sha256' header does not match what was computed";
    }
    return "unknown sigv4 error";
  }
};

struct Parsed {
  std::string access_key_id, date8, region, service, terminator;
  std::vector<std::string> signed_headers;
  std::string signature;
};

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    auto end = s.find(sep, start);
    out.emplace_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request,
//  SignedHeaders=host;x-amz-date, Signature=<hex>"
std::optional<Parsed> parse_authorization(std::string_view v) {
  constexpr std::string_view prefix = "AWS4-HMAC-SHA256 ";
  if (v.substr(0, prefix.size()) != prefix) return std::nullopt;
  Parsed p;
  bool cred = false, sh = false, sig = false;
  for (const auto& part : split(v.substr(prefix.size()), ',')) {
    auto kv = trim(part);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    auto key = kv.substr(0, eq), val = kv.substr(eq + 1);
    if (key == "Credential") {
      auto f = split(val, '/');
      if (f.size() != 5) return std::nullopt;
      p.access_key_id = f[0], p.date8 = f[1], p.region = f[2], p.service = f[3], p.terminator = f[4];
      cred = true;
    } else if (key == "SignedHeaders") {
      p.signed_headers = split(val, ';');
      sh = true;
    } else if (key == "Signature") {
      p.signature = std::string(val);
      sig = true;
    }
  }
  if (!cred || !sh || !sig || p.terminator != "aws4_request") return std::nullopt;
  return p;
}

std::optional<std::chrono::system_clock::time_point> parse_amz_date(std::string_view d) {
  std::tm tm{};
  if (d.size() != 16 || d[8] != 'T' || d[15] != 'Z') return std::nullopt;
  if (!strptime(std::string(d).c_str(), "%Y%m%dT%H%M%SZ", &tm)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  for (const auto& x : v)
    if (x == s) return true;
  return false;
}

}  // namespace

const boost::system::error_category& verify_category() noexcept {
  static const verify_category_impl instance;
  return instance;
}

core::result<Verified> verify(const Request& req, const CredentialLookup& lookup,
                              const VerifyOptions& opts) {
  const Header* auth = find_header(req.headers, "Authorization");
  if (!auth) return verify_errc::missing_authentication;
  auto parsed = parse_authorization(auth->value);
  const Header* date = find_header(req.headers, "X-Amz-Date");
  if (!parsed || !date || !contains(parsed->signed_headers, "host") ||
      !contains(parsed->signed_headers, "x-amz-date"))
    return verify_errc::incomplete_signature;
  if (parsed->service != opts.service || (!opts.region.empty() && parsed->region != opts.region) ||
      date->value.substr(0, 8) != parsed->date8)
    return verify_errc::scope_mismatch;
  auto when = parse_amz_date(date->value);
  if (!when) return verify_errc::incomplete_signature;
  if (*when < opts.now - opts.max_skew || *when > opts.now + opts.max_skew)
    return verify_errc::signature_expired;
  // The signature covers the declared hash, not the body: check that they agree.
  if (const Header* declared = find_header(req.headers, "x-amz-content-sha256")) {
    const auto value = canonical_header_value(declared->value);
    if (value == "UNSIGNED-PAYLOAD" ? !opts.allow_unsigned_payload : value != sha256_hex(req.body))
      return verify_errc::payload_hash_mismatch;
  }
  auto creds = lookup(parsed->access_key_id);
  if (!creds) return verify_errc::unknown_access_key;
  const auto s = compute(req, *creds, date->value, parsed->region, parsed->service,
                         parsed->signed_headers, opts.normalize_path);
  // A client may list a header it did not send; then the recomputed list differs and so must fail.
  std::string declared;
  for (const auto& h : parsed->signed_headers) declared.append(declared.empty() ? "" : ";").append(h);
  if (declared != s.signed_headers || !constant_time_equal(s.signature, parsed->signature))
    return verify_errc::signature_mismatch;
  return Verified{parsed->access_key_id, parsed->region, parsed->service, date->value};
}

}  // namespace aws::sigv4
