#pragma once
// What the inspector's pages are sent once a second: a traffic sample, read from the same
// counters and histograms as /metrics, and the table of open connections.
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/metrics.hpp"
#include "gateway/connection_registry.hpp"
#include "gateway/gateway_metrics.hpp"

namespace gateway {

class TrafficSampler {
 public:
  // Rates per second since the previous call, the connections open now, and latency
  // percentiles (ms) of what was observed since the previous call.
  boost::json::object sample(const GatewayMetrics& metrics, std::size_t connections);

 private:
  using Buckets = std::array<std::uint64_t, core::metrics::Histogram::bounds.size() + 1>;
  static Buckets read(const char* family);
  std::int64_t last_ms_ = 0;
  std::uint64_t in_ = 0, out_ = 0, connects_ = 0, disconnects_ = 0, errors_ = 0;
  Buckets handler_{}, store_{};
};

// Percentile q (0..1) of the observations counted in `delta` (the last slot: above the last
// bound), interpolated within its bucket as Prometheus's histogram_quantile does; -1 when empty.
double percentile_ms(const std::array<std::uint64_t, core::metrics::Histogram::bounds.size() + 1>& delta,
                     double q);

// The first `limit` open connections (and how many there are), each with what `describe`
// (when set) adds for the first `described` of them.
using DescribeConnection = std::function<boost::json::object(const std::string&)>;
boost::json::object connections_snapshot(const ConnectionRegistry& registry,
                                         const DescribeConnection& describe = {},
                                         std::size_t limit = 500, std::size_t described = 200);

}  // namespace gateway
