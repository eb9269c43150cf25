#pragma once
// Plain value types for one HTTP exchange, free of Beast so that callers compile fast.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace aws::http {

struct Header {
  std::string name;
  std::string value;
};
using Headers = std::vector<Header>;

// First header of that name (case-insensitive); nullptr when absent.
const Header* find_header(const Headers& headers, std::string_view name);

struct Request {
  std::string method = "GET";
  std::string target = "/";  // origin-form: path and query, already percent-encoded
  Headers headers;           // Host is added from the endpoint when missing
  std::string body;
};

struct Response {
  int status = 0;
  Headers headers;
  std::string body;

  // First header of that name (case-insensitive), or empty.
  std::string_view header(std::string_view name) const;
};

}  // namespace aws::http
