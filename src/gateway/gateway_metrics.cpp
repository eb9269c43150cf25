#include "gateway/gateway_metrics.hpp"

namespace gateway {
namespace {

core::metrics::Counter& counter(const char* name, const char* help, const std::string& labels = {}) {
  return core::metrics::registry().counter(name, help, labels);
}

constexpr const char* posts_help = "PostToConnection calls by result";
constexpr const char* latency_help = "Integration (handler) latency seen by the gateway";

}  // namespace

GatewayMetrics::GatewayMetrics(const std::vector<std::string>& route_keys)
    : connects(counter("parley_connects_total", "WebSocket connections accepted")),
      connects_refused(counter("parley_connects_refused_total",
                               "Handshakes refused by $connect or its failure")),
      disconnects(counter("parley_disconnects_total", "WebSocket connections ended")),
      frames_in(counter("parley_messages_in_total", "Text frames received from clients")),
      frames_out(counter("parley_messages_out_total", "Messages written to clients")),
      posts_ok(counter("parley_posts_total", posts_help, R"(result="ok")")),
      posts_gone(counter("parley_posts_total", posts_help, R"(result="gone")")),
      posts_too_large(counter("parley_posts_total", posts_help, R"(result="too_large")")),
      posts_throttled(counter("parley_posts_total", posts_help, R"(result="throttled")")),
      frames_throttled(counter("parley_throttled_total", "Requests refused by a rate limit",
                               R"(kind="frame")")),
      connects_over_ip_limit(counter("parley_throttled_total", "Requests refused by a rate limit",
                                     R"(kind="connection_per_ip")")),
      management_throttled(counter("parley_throttled_total", "Requests refused by a rate limit",
                                   R"(kind="management")")),
      management_connections(counter("parley_management_requests_total",
                                     "Management API requests answered, by API", R"(api="connections")")),
      management_batches(counter("parley_management_requests_total",
                                 "Management API requests answered, by API", R"(api="batch")")),
      management_batch_recipients(counter("parley_management_batch_recipients_total",
                                          "Recipients carried by node-to-node batch posts")),
      slow_client_closes(counter("parley_slow_client_closes_total",
                                 "Connections closed (1008) because they stopped reading")),
      integration_errors(counter("parley_integration_failures_total", "Failed integrations",
                                 R"(kind="error")")),
      integration_timeouts(counter("parley_integration_failures_total", "Failed integrations",
                                   R"(kind="timeout")")),
      other_(core::metrics::registry().histogram("parley_integration_seconds", latency_help,
                                                 R"(route="other")")) {
  for (const auto& key : route_keys)
    latency_[key] = &core::metrics::registry().histogram("parley_integration_seconds",
                                                         latency_help, "route=\"" + key + "\"");
}

core::metrics::Histogram& GatewayMetrics::latency(const std::string& route_key) {
  auto it = latency_.find(route_key);
  return it == latency_.end() ? other_ : *it->second;
}

}  // namespace gateway
