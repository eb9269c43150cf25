#pragma once
// What the gateway counts, for /metrics. One instance per gateway; the counters live in the
// process-wide registry so that other modules' metrics render beside them.
#include <map>
#include <string>
#include <vector>

#include "core/metrics.hpp"

namespace gateway {

struct GatewayMetrics {
  explicit GatewayMetrics(const std::vector<std::string>& route_keys);

  core::metrics::Counter& connects;
  core::metrics::Counter& connects_refused;
  core::metrics::Counter& disconnects;
  core::metrics::Counter& frames_in;
  core::metrics::Counter& frames_out;
  core::metrics::Counter& posts_ok;
  core::metrics::Counter& posts_gone;
  core::metrics::Counter& posts_too_large;
  core::metrics::Counter& posts_throttled;  // a full send queue: AWS's 429 backpressure
  core::metrics::Counter& frames_throttled;       // over a rate limit: not routed
  core::metrics::Counter& connects_over_ip_limit;  // --max-connections-per-ip: 429
  core::metrics::Counter& management_throttled;    // management API over its rate: 429
  // Management API requests answered (past the rate limit), by kind: one @connections call, or
  // one node-to-node batch post (apigw/post_batch.hpp) and the recipients batches carried.
  core::metrics::Counter& management_connections;
  core::metrics::Counter& management_batches;
  core::metrics::Counter& management_batch_recipients;
  core::metrics::Counter& slow_client_closes;      // send queue full too long: 1008
  core::metrics::Counter& integration_errors;
  core::metrics::Counter& integration_timeouts;

  // Handler latency by route key, as the gateway sees it (queueing included).
  core::metrics::Histogram& latency(const std::string& route_key);

 private:
  std::map<std::string, core::metrics::Histogram*, std::less<>> latency_;
  core::metrics::Histogram& other_;
};

}  // namespace gateway
