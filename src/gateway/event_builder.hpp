#pragma once
// Builds the three kinds of proxy event API Gateway sends (aws-contract.md §2) from what the
// gateway knows of a connection. Pure functions: no sockets, unit-tested field by field.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "apigw/ws_event.hpp"
#include "gateway/stored_context.hpp"

namespace gateway {

struct Config;

// What stays the same in every event of one connection.
struct ConnectionMeta {
  std::string connection_id;
  std::int64_t connected_at = 0;  // epoch ms
  std::string source_ip;
  std::optional<std::string> user_agent;
  std::string domain_name;
  // Its stage and API id, the same for every connection of a server: read from the server's
  // configuration (Context::config, which outlives its sessions) when an event is built, not
  // held per connection (issue 18). Never null in an event.
  const Config* config = nullptr;
  StoredContext authorizer;  // requestContext.authorizer, when authorized
};

// The upgrade request as received.
struct Handshake {
  std::vector<std::pair<std::string, std::string>> headers;  // names as the client spelled them
  std::string target;                                        // "/dev?room=lobby"
  std::string forwarded_proto = "http";
  unsigned short local_port = 0;
};

apigw::Event connect_event(const ConnectionMeta& m, const Handshake& h, std::int64_t now_ms);
// The same, taking the handshake's strings instead of copying them.
apigw::Event connect_event(const ConnectionMeta& m, Handshake&& h, std::int64_t now_ms);
apigw::Event message_event(const ConnectionMeta& m, std::string route_key, std::string body,
                           std::int64_t now_ms);
apigw::Event disconnect_event(const ConnectionMeta& m, int status_code, std::string reason,
                              std::int64_t now_ms);

}  // namespace gateway
