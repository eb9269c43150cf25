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
                                              ManagementCaller caller) {
  const unsigned v = req.version();
  const bool keys = !config.management_keys.empty();
  // Without keys only a direct loopback peer of the management listener gets in (a listener
  // bound elsewhere needs keys to start at all).
  if (caller == ManagementCaller::remote && !keys)
    return aws_error(v, 403, "ForbiddenException",
                     "The management API answers direct loopback clients only (not through a proxy)");
  if (caller == ManagementCaller::local && !keys) return std::nullopt;

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
  // The operator's keys, then the ones Parley gave the functions it runs.
  auto lookup = [&config](std::string_view id) -> std::optional<aws::Credentials> {
    for (const auto* keys : {&config.management_keys, &config.function_keys}) {
      auto it = keys->find(std::string(id));
      if (it != keys->end()) return aws::Credentials{it->first, it->second, ""};
    }
    return std::nullopt;
  };
  auto r = sigv4::verify(sr, lookup, opts);
  if (r) return std::nullopt;
  core::log::info("management call refused", {{"method", sr.method}, {"error", r.error().message()}});
  return signature_error(v, r.error());
}

}  // namespace gateway
