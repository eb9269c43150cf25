#include "aws/sigv4/signer.hpp"

#include <ctime>

#include "aws/sigv4/crypto.hpp"

namespace aws::sigv4 {
namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string amz_date(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[17];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string signing_key(std::string_view secret, std::string_view date8, std::string_view region,
                        std::string_view service) {
  auto k_date = hmac_sha256("AWS4" + std::string(secret), date8);
  auto k_region = hmac_sha256(k_date, region);
  auto k_service = hmac_sha256(k_region, service);
  return hmac_sha256(k_service, "aws4_request");
}

const Header* find_header(const Headers& headers, std::string_view name) {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return &h;
  return nullptr;
}

void set_header(Headers& headers, std::string_view name, std::string value) {
  std::erase_if(headers, [&](const Header& h) { return iequals(h.name, name); });
  headers.push_back({std::string(name), std::move(value)});
}

Signature compute(const Request& req, const Credentials& creds, std::string_view date,
                  std::string_view region, std::string_view service,
                  const std::vector<std::string>& only, bool normalize_path) {
  Signature s;
  s.amz_date = std::string(date);
  s.scope = s.amz_date.substr(0, 8) + "/" + std::string(region) + "/" + std::string(service) +
            "/aws4_request";
  // A client that declares its payload hash signs that declaration (S3's UNSIGNED-PAYLOAD too).
  const Header* declared = find_header(req.headers, "x-amz-content-sha256");
  const std::string payload = declared ? declared->value : sha256_hex(req.body);
  const auto headers = canonical_headers(req.headers, only);
  s.signed_headers = headers.signed_headers;
  s.canonical_request = req.method + "\n" + canonical_uri(req.path, normalize_path) + "\n" +
                        canonical_query(req.query) + "\n" + headers.block + "\n" +
                        headers.signed_headers + "\n" + payload;
  s.string_to_sign = std::string(algorithm) + "\n" + s.amz_date + "\n" + s.scope + "\n" +
                     sha256_hex(s.canonical_request);
  const auto key = signing_key(creds.secret_access_key, s.amz_date.substr(0, 8), region, service);
  s.signature = hex(hmac_sha256(key, s.string_to_sign));
  s.authorization = std::string(algorithm) + " Credential=" + creds.access_key_id + "/" + s.scope +
                    ", SignedHeaders=" + s.signed_headers + ", Signature=" + s.signature;
  return s;
}

Signature sign(Request& req, const Credentials& creds, const SigningOptions& opts) {
  const auto date = amz_date(opts.time);
  set_header(req.headers, "X-Amz-Date", date);
  std::erase_if(req.headers, [](const Header& h) { return iequals(h.name, "Authorization"); });
  if (opts.add_content_sha256) set_header(req.headers, "x-amz-content-sha256", sha256_hex(req.body));
  const bool token = !creds.session_token.empty();
  std::erase_if(req.headers, [](const Header& h) { return iequals(h.name, "X-Amz-Security-Token"); });
  if (token && opts.sign_session_token) set_header(req.headers, "X-Amz-Security-Token", creds.session_token);
  auto s = compute(req, creds, date, opts.region, opts.service, {}, opts.normalize_path);
  if (token && !opts.sign_session_token) set_header(req.headers, "X-Amz-Security-Token", creds.session_token);
  req.headers.push_back({"Authorization", s.authorization});
  return s;
}

}  // namespace aws::sigv4
