// Drives connections::Http for connections_http.test.mjs: one JSON command per stdin line, one
// JSON answer per stdout line. The endpoint is argv[1]; credentials, when the environment has
// them, sign every request (the local gateway ignores signatures, AWS would check them).
//   {"op":"post","id":"...","data":"..."}            → {"ok":true} | {"error":"gone"}
//   {"op":"post_many","ids":[...],"data":"..."}      → {"results":["ok","gone",...],"ms":N}
//   {"op":"get","id":"..."}                          → {"connectedAt":N,"lastActiveAt":N,...}
//   {"op":"delete","id":"..."}                       → {"ok":true} | {"error":"..."}
#include <boost/json.hpp>

#include <chrono>
#include <iostream>
#include <string>

#include "aws/apigw/http_connections.hpp"
#include "core/error.hpp"

namespace {

std::string error_name(const boost::system::error_code& ec) {
  switch (static_cast<core::errc>(ec.value())) {
    case core::errc::gone: return "gone";
    case core::errc::payload_too_large: return "payload_too_large";
    case core::errc::limit_exceeded: return "limit_exceeded";
    case core::errc::forbidden: return "forbidden";
    default: return "internal";
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: connections_tool ENDPOINT\n";
    return 2;
  }
  connections::HttpOptions options;
  options.endpoint = argv[1];
  if (auto creds = aws::credentials_from_env()) options.credentials = *creds;
  aws::http::ClientOptions client_options;
  client_options.max_connections_per_endpoint = options.max_in_flight;
  auto client = std::make_shared<aws::http::BlockingClient>(client_options);
  auto http = connections::Http::create(client, options);
  if (!http) {
    std::cerr << "bad endpoint: " << http.error().message() << "\n";
    return 2;
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    const auto cmd = boost::json::parse(line).as_object();
    const std::string op(cmd.at("op").as_string());
    boost::json::object out;
    if (op == "post" || op == "delete") {
      const std::string id(cmd.at("id").as_string());
      auto r = op == "post"
                   ? (*http)->post_one(id, apigw::make_frame(std::string(cmd.at("data").as_string())))
                   : (*http)->remove(id);
      if (r) out["ok"] = true; else out["error"] = error_name(r.error());
    } else if (op == "post_many") {
      std::vector<std::string> ids;
      for (const auto& v : cmd.at("ids").as_array()) ids.emplace_back(v.as_string());
      const auto start = std::chrono::steady_clock::now();
      auto results = (*http)->post({ids}, apigw::make_frame(std::string(cmd.at("data").as_string())));
      boost::json::array arr;
      for (const auto& r : results) arr.emplace_back(r ? std::string("ok") : error_name(r.error()));
      out["results"] = std::move(arr);
      out["ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start).count();
    } else if (op == "get") {
      auto r = (*http)->get(std::string(cmd.at("id").as_string()));
      if (r) {
        out["connectedAt"] = r->connected_at;
        out["lastActiveAt"] = r->last_active_at;
        out["sourceIp"] = r->source_ip;
        out["userAgent"] = r->user_agent ? boost::json::value(*r->user_agent) : nullptr;
      } else {
        out["error"] = error_name(r.error());
      }
    } else {
      out["error"] = "unknown op";
    }
    std::cout << boost::json::serialize(out) << std::endl;
  }
  return 0;
}
