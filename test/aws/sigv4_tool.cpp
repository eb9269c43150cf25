// Signs requests described on stdin, for the cross-check against @smithy/signature-v4
// (sigv4_crosscheck.mjs). Input: a JSON array of
//   {method, path, query, headers: [[name, value]...], body, region, service, epoch,
//    accessKeyId, secretAccessKey, sessionToken}
// Output: a JSON array of {authorization, canonicalRequest}, in the same order.
#include <boost/json.hpp>
#include <iostream>
#include <iterator>
#include <string>

#include "aws/sigv4/signer.hpp"

namespace json = boost::json;

int main() {
  std::string input{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  json::array out;
  const json::value requests = json::parse(input);
  for (const auto& v : requests.as_array()) {
    const auto& o = v.as_object();
    const std::string body(o.at("body").as_string());
    aws::sigv4::Request req;
    req.method = std::string(o.at("method").as_string());
    req.path = std::string(o.at("path").as_string());
    req.query = std::string(o.at("query").as_string());
    req.body = body;
    for (const auto& h : o.at("headers").as_array())
      req.headers.push_back({std::string(h.as_array()[0].as_string()), std::string(h.as_array()[1].as_string())});
    aws::Credentials creds{std::string(o.at("accessKeyId").as_string()),
                           std::string(o.at("secretAccessKey").as_string()),
                           std::string(o.at("sessionToken").as_string())};
    aws::sigv4::SigningOptions opts;
    opts.region = std::string(o.at("region").as_string());
    opts.service = std::string(o.at("service").as_string());
    opts.time = std::chrono::system_clock::time_point{std::chrono::seconds{o.at("epoch").to_number<std::int64_t>()}};
    auto s = aws::sigv4::sign(req, creds, opts);
    out.push_back(json::object{{"authorization", s.authorization}, {"canonicalRequest", s.canonical_request}});
  }
  std::cout << json::serialize(out) << "\n";
}
