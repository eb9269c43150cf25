#pragma once
// One keep-alive HTTP/1.1 connection to the Runtime API (AWS_LAMBDA_RUNTIME_API, "host:port",
// plain TCP on the sandbox's loopback). Blocking on purpose: a runtime handles one invocation
// at a time, and GET /next must wait without a timeout because Lambda freezes the process
// between events. Beast stays in the .cpp.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace lambda {

struct HttpReply {
  int status = 0;
  std::string body;
  // Header values by lower-case name (the Runtime API sends each at most once).
  std::string header(std::string_view name) const;
  std::string raw_headers;  // "name: value\n" lines, lower-case names
};

struct HttpHeader {
  std::string name;
  std::string value;
};

class RuntimeConnection {
 public:
  // "host:port"; invalid_argument when it has no port.
  static core::result<std::unique_ptr<RuntimeConnection>> open(std::string_view host_port);
  ~RuntimeConnection();
  RuntimeConnection(const RuntimeConnection&) = delete;
  RuntimeConnection& operator=(const RuntimeConnection&) = delete;

  // Sends one request and reads the answer, with no timeout. A reused connection that the
  // server closed while idle is reopened once: nothing was read, so resending is safe.
  core::result<HttpReply> request(std::string_view method, std::string_view target,
                                  std::string_view body = {},
                                  std::initializer_list<HttpHeader> headers = {});

 private:
  struct Impl;
  explicit RuntimeConnection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lambda
