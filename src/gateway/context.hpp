#pragma once
// What every session of one gateway shares (Beast's chat-multi calls it shared_state).
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway/config.hpp"
#include "gateway/gateway_metrics.hpp"
#include "gateway/connection_registry.hpp"
#include "gateway/inspector.hpp"
#include "gateway/integration.hpp"
#include "gateway/ip_connections.hpp"
#include "gateway/local_connections.hpp"
#include "gateway/loop_inbox.hpp"
#include "gateway/route_selector.hpp"
#include "gateway/token_bucket.hpp"

namespace boost::asio::ssl {
class context;
}

namespace gateway {

struct Context {
  Context(Config c, Integration& i)
      : config(std::move(c)), integration(i),
        selector(config.route_selection_expression, integration.route_keys()),
        metrics(integration.route_keys()),
        inspector({config.inspect_events, config.inspect_payloads, config.inspect_buffer,
                   config.two_way_routes, config.stage}),
        connections(registry, config.max_post_bytes, metrics),
        ip_connections(config.max_connections_per_ip),
        connection_rate{config.rate_limit, config.rate_burst},
        ip_rates({config.ip_rate_limit,
                  config.ip_rate_burst > 0 ? config.ip_rate_burst : 2 * config.ip_rate_limit}),
        management_rates({config.management_rate_limit, config.management_rate_burst}) {}

  Config config;  // api_id is filled in before any session starts
  Integration& integration;
  RouteSelector selector;
  ConnectionRegistry registry;
  GatewayMetrics metrics;
  Inspector inspector;            // /inspect: idle unless a page is open
  LocalConnections connections;  // the Connections port for this node's sockets
  IpConnections ip_connections;  // --max-connections-per-ip
  RateLimit connection_rate;     // --rate-limit: each connection's bucket (WsSession::rate_)
  KeyedBuckets ip_rates;         // --ip-rate-limit: client frames per source IP
  KeyedBuckets management_rates; // management API calls per caller
  std::atomic<bool> stopping{false};
  // Several nodes: a random id that GET @connections/{probe_id} answers as a connection, so a
  // node can check that its --node-endpoint reaches this very process (any other process
  // answers 410). Set before the server runs, never changed after; empty: no probe.
  std::string probe_id;
  // The inspector's Connections table: what the composition root knows of a connection beyond
  // its socket ({"name", "rooms"}, from a local store). Set before the server runs; may be empty.
  std::function<boost::json::object(const std::string&)> describe_connection;
  // Set when the port speaks TLS (config.tls_cert_file / tls_key_file), by the server.
  std::shared_ptr<boost::asio::ssl::context> tls;
  // One per socket thread, filled by the server before the first connection.
  std::vector<std::unique_ptr<LoopInbox>> inboxes;
};

}  // namespace gateway
