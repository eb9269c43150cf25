// The C++ half of the cross-check against @smithy/signature-v4 (sigv4_crosscheck.mjs).
//   sigv4_tool sign    signs each request; prints [{authorization, canonicalRequest}, ...]
//   sigv4_tool verify  verifies each (already signed) request; prints [{ok, error}, ...]
// Input on stdin: a JSON array of
//   {method, path, query, headers: [[name, value]...], body, region, service, epoch,
//    accessKeyId, secretAccessKey, sessionToken}
#include <boost/json.hpp>
#include <iostream>
#include <iterator>
#include <string>

#include "aws/sigv4/signer.hpp"
#include "aws/sigv4/verifier.hpp"

namespace json = boost::json;

namespace {

std::string str(const json::object& o, const char* key) { return std::string(o.at(key).as_string()); }

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "sign";
  std::string input{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  const json::value requests = json::parse(input);
  json::array out;
  for (const auto& v : requests.as_array()) {
    const auto& o = v.as_object();
    const std::string body = str(o, "body");
    aws::sigv4::Request req{str(o, "method"), str(o, "path"), str(o, "query"), {}, body};
    for (const auto& h : o.at("headers").as_array())
      req.headers.push_back({std::string(h.as_array()[0].as_string()), std::string(h.as_array()[1].as_string())});
    const aws::Credentials creds{str(o, "accessKeyId"), str(o, "secretAccessKey"), str(o, "sessionToken")};
    const std::chrono::system_clock::time_point when{std::chrono::seconds{o.at("epoch").to_number<std::int64_t>()}};
    if (mode == "verify") {
      aws::sigv4::VerifyOptions opts;
      opts.service = str(o, "service");
      opts.region = str(o, "region");
      opts.now = when;
      opts.allow_unsigned_payload = true;  // smithy signs it as given; tampering is checked apart
      auto r = aws::sigv4::verify(req, [&](std::string_view id) -> std::optional<aws::Credentials> {
        if (id == creds.access_key_id) return creds;
        return std::nullopt;
      }, opts);
      out.push_back(json::object{{"ok", r.has_value()}, {"error", r ? std::string() : r.error().message()}});
      continue;
    }
    aws::sigv4::SigningOptions opts;
    opts.region = str(o, "region");
    opts.service = str(o, "service");
    opts.time = when;
    auto s = aws::sigv4::sign(req, creds, opts);
    out.push_back(json::object{{"authorization", s.authorization}, {"canonicalRequest", s.canonical_request}});
  }
  std::cout << json::serialize(out) << "\n";
}
