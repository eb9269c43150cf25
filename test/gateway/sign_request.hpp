#pragma once
// Signs a management API request as AWS's SDKs do (SigV4, service execute-api), for the tests
// of who may call it.
#include <string>

#include "aws/sigv4/signer.hpp"
#include "gateway/management_endpoint.hpp"

namespace gateway::testing {

// Adds the signature headers for `req` as it is (method, target, Host, body).
inline void sign_execute_api(HttpRequest& req, const std::string& id, const std::string& secret,
                             const std::string& region = "us-east-1") {
  aws::sigv4::Request s;
  s.method = std::string(req.method_string());
  s.path = std::string(req.target());
  s.headers.push_back({"Host", std::string(req.at(boost::beast::http::field::host))});
  s.body = req.body();
  aws::sigv4::SigningOptions o;
  o.region = region;
  o.service = "execute-api";
  aws::sigv4::sign(s, aws::Credentials{id, secret, ""}, o);
  for (const auto& h : s.headers)
    if (h.name != "Host") req.set(h.name, h.value);
}

}  // namespace gateway::testing
