#pragma once
// Where a request goes: scheme, host and port, parsed from an endpoint URL such as
// "https://dynamodb.eu-west-1.amazonaws.com" or "http://127.0.0.1:8000".
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace aws::http {

struct Endpoint {
  std::string host;
  std::uint16_t port = 443;
  bool tls = true;
  std::string base_path;  // path of the URL without a trailing '/', usually empty

  // "host" or "host:port" when the port is not the scheme's default, as the Host header wants.
  std::string host_header() const;
  // One pool per (host, port, tls).
  std::string pool_key() const;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// http and https only; invalid_argument otherwise.
core::result<Endpoint> parse_endpoint(std::string_view url);

}  // namespace aws::http
