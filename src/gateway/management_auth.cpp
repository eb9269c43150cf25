#include "gateway/management_auth.hpp"

#include <boost/beast/http.hpp>

#include "aws/sigv4/verifier.hpp"
#include "core/log.hpp"

namespace gateway {
namespace {

namespace sigv4 = aws::sigv4;

// AWS's error type and message for each way a signature fails (all 403 on execute-api).
HttpResponse signature_error(unsigned version, const boost::system::error_code& ec) {
  using E = sigv4::verify_errc;
  switch (static_cast<E>(ec.value())) {
    case E::missing_authentication:
      return aws_error(version, 403, "MissingAuthenticationTokenException", "Missing Authentication Token");
    case E::incomplete_signature:
      return aws_error(version, 403, "IncompleteSignatureException", ec.message());
    case E::unknown_access_key:
      return aws_error(version, 403, "UnrecognizedClientException",
                       "The security token included in the request is invalid.");
    default:
      return aws_error(version, 403, "InvalidSignatureException", ec.message());
  }
}

}  // namespace

std::optional<HttpResponse> refuse_management(const Config& config, const HttpRequest& req,
                                              bool peer_is_loopback) {
  const unsigned v = req.version();
  if (!peer_is_loopback && !config.management_public)
    return aws_error(v, 403, "ForbiddenException", "The management API answers direct loopback clients only (not through a proxy)");
  if (config.management_keys.empty()) return std::nullopt;

  sigv4::Request sr;
  sr.method = std::string(req.method_string());
  const std::string_view target = req.target();
  const auto q = target.find('?');
  sr.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) sr.query = std::string(target.substr(q + 1));
  for (const auto& f : req) sr.headers.push_back({std::string(f.name_string()), std::string(f.value())});
  sr.body = req.body();

  sigv4::VerifyOptions opts;
  opts.service = "execute-api";
  opts.region = config.region;
  const auto& keys = config.management_keys;
  auto lookup = [&keys](std::string_view id) -> std::optional<aws::Credentials> {
    auto it = keys.find(std::string(id));
    if (it == keys.end()) return std::nullopt;
    return aws::Credentials{it->first, it->second, ""};
  };
  auto r = sigv4::verify(sr, lookup, opts);
  if (r) return std::nullopt;
  core::log::info("management call refused", {{"method", sr.method}, {"error", r.error().message()}});
  return signature_error(v, r.error());
}

}  // namespace gateway
