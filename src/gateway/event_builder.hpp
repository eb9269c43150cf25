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
#include "gateway/peer_text.hpp"
#include "gateway/stored_context.hpp"

namespace gateway {

struct Config;

// What stays the same in every event of one connection.
struct ConnectionMeta {
  std::string connection_id;
  std::int64_t connected_at = 0;  // epoch ms
  PeerText peer;  // source IP, User-Agent, domain name
  StoredContext authorizer;  // requestContext.authorizer, when authorized
};

// The upgrade request as received.
struct Handshake {
  std::vector<std::pair<std::string, std::string>> headers;  // names as the client spelled them
  std::string target;                                        // "/dev?room=lobby"
  std::string forwarded_proto = "http";
  unsigned short local_port = 0;
};

// `config` gives the stage and API id, the same for every connection of a server (not held per
// connection: issue 18).
apigw::Event connect_event(const Config& config, const ConnectionMeta& m, const Handshake& h,
                           std::int64_t now_ms);
// The same, taking the handshake's strings instead of copying them.
apigw::Event connect_event(const Config& config, const ConnectionMeta& m, Handshake&& h,
                           std::int64_t now_ms);
apigw::Event message_event(const Config& config, const ConnectionMeta& m, std::string route_key,
                           std::string body, std::int64_t now_ms);
apigw::Event disconnect_event(const Config& config, const ConnectionMeta& m, int status_code,
                              std::string reason, std::int64_t now_ms);

}  // namespace gateway
