#include "gateway/inspect_snapshot.hpp"

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "gateway/inspector.hpp"

namespace gateway {
namespace json = boost::json;
using core::metrics::Histogram;

TrafficSampler::Buckets TrafficSampler::read(const char* family) {
  Buckets b{};
  for (const Histogram* h : core::metrics::registry().histograms(family)) {
    const auto counts = h->buckets();
    std::uint64_t within = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
      b[i] += counts[i];
      within += counts[i];
    }
    const auto total = h->count();
    b.back() += total > within ? total - within : 0;
  }
  return b;
}

double percentile_ms(const std::array<std::uint64_t, Histogram::bounds.size() + 1>& delta, double q) {
  std::uint64_t total = 0;
  for (auto n : delta) total += n;
  if (total == 0) return -1;
  const double rank = q * static_cast<double>(total);
  double seen = 0;
  for (std::size_t i = 0; i < delta.size(); ++i) {
    if (delta[i] == 0) continue;
    if (seen + static_cast<double>(delta[i]) >= rank) {
      if (i == Histogram::bounds.size()) return Histogram::bounds.back() * 1000;  // beyond: the last bound
      const double lo = i == 0 ? 0 : Histogram::bounds[i - 1];
      const double within = (rank - seen) / static_cast<double>(delta[i]);
      return (lo + (Histogram::bounds[i] - lo) * within) * 1000;
    }
    seen += static_cast<double>(delta[i]);
  }
  return Histogram::bounds.back() * 1000;
}

boost::json::object TrafficSampler::sample(const GatewayMetrics& m, std::size_t connections) {
  const std::int64_t now = core::now_ms();
  const double secs = last_ms_ == 0 ? 1.0 : std::max(0.001, (now - last_ms_) / 1000.0);
  auto rate = [&](std::uint64_t value, std::uint64_t& last) {
    const double r = last_ms_ == 0 ? 0 : static_cast<double>(value - last) / secs;
    last = value;
    return r;
  };
  auto latency = [&](const char* family, Buckets& last) {
    const Buckets now_b = read(family);
    Buckets delta{};
    for (std::size_t i = 0; i < delta.size(); ++i) delta[i] = now_b[i] - last[i];
    last = now_b;
    json::object o;
    for (auto [name, q] : {std::pair{"p50", 0.5}, std::pair{"p95", 0.95}, std::pair{"p99", 0.99}}) {
      const double v = last_ms_ == 0 ? -1 : percentile_ms(delta, q);
      o[name] = v < 0 ? json::value(nullptr) : json::value(v);
    }
    return o;
  };
  json::object s;
  s["at"] = now;
  s["connections"] = connections;
  s["messagesIn"] = rate(m.frames_in.value(), in_);
  s["messagesOut"] = rate(m.frames_out.value(), out_);
  s["connects"] = rate(m.connects.value(), connects_);
  s["disconnects"] = rate(m.disconnects.value(), disconnects_);
  s["errors"] = rate(m.integration_errors.value() + m.integration_timeouts.value(), errors_);
  s["handlerMs"] = latency("parley_integration_seconds", handler_);
  s["storeMs"] = latency("parley_store_seconds", store_);
  last_ms_ = now;
  return s;
}

json::object connections_snapshot(const ConnectionRegistry& registry,
                                  const DescribeConnection& describe, std::size_t limit,
                                  std::size_t described) {
  json::array list;
  const auto all = registry.all();
  for (const auto& s : all) {
    if (list.size() >= limit) break;
    const auto info = s->info();
    auto st = s->stats();
    if (st.authorizer) strip_tokens(*st.authorizer);  // the table shows who, not their token
    json::object c;
    c["connectionId"] = s->id();
    c["sourceIp"] = info.source_ip;
    c["userAgent"] = info.user_agent ? json::value(*info.user_agent) : json::value(nullptr);
    c["connectedAt"] = info.connected_at;
    c["lastActiveAt"] = info.last_active_at;
    c["framesIn"] = st.frames_in;
    c["framesOut"] = st.frames_out;
    c["queuedBytes"] = st.queued_bytes;
    c["authorizer"] = st.authorizer ? json::value(std::move(*st.authorizer)) : json::value(nullptr);
    if (describe && list.size() < described)
      for (auto& [k, v] : describe(s->id())) c[k] = std::move(v);
    list.push_back(std::move(c));
  }
  json::object o;
  o["total"] = all.size();
  o["connections"] = std::move(list);
  return o;
}

}  // namespace gateway
