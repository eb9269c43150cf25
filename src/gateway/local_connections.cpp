#include "gateway/local_connections.hpp"

#include "gateway/loop_inbox.hpp"

namespace gateway {

const core::result<void>& LocalConnections::Tally::add(const core::result<void>& r) {
  ++(r ? ok : r.error() == core::errc::gone ? gone : throttled);
  return r;
}

void LocalConnections::Tally::record(GatewayMetrics& m) const {
  if (ok) m.posts_ok.inc(ok);
  if (gone) m.posts_gone.inc(gone);
  if (throttled) m.posts_throttled.inc(throttled);
}

core::result<void> LocalConnections::post(const std::string& connection_id,
                                          const apigw::SharedFrame& data) {
  if (data->size() > max_post_bytes_) {
    metrics_.posts_too_large.inc();
    return core::errc::payload_too_large;
  }
  auto s = registry_.find(connection_id);
  Tally tally;
  auto r = tally.add(s ? s->send(data) : core::errc::gone);
  tally.record(metrics_);
  return r;
}

std::vector<core::result<void>> LocalConnections::post_many(std::span<const std::string> ids,
                                                            const apigw::SharedFrame& data) {
  std::vector<core::result<void>> out;
  out.reserve(ids.size());
  if (data->size() > max_post_bytes_) {
    metrics_.posts_too_large.inc(ids.size());
    out.assign(ids.size(), core::errc::payload_too_large);
    return out;
  }
  const auto sessions = registry_.find_many(ids);
  Tally tally;
  {
    LoopInbox::Batch batch;
    for (const auto& s : sessions) out.push_back(tally.add(s ? s->send(data) : core::errc::gone));
  }
  tally.record(metrics_);
  return out;
}

core::result<apigw::ConnectionInfo> LocalConnections::get(const std::string& connection_id) {
  auto s = registry_.find(connection_id);
  if (!s) return core::errc::gone;
  return s->info();
}

core::result<void> LocalConnections::remove(const std::string& connection_id) {
  auto s = registry_.find(connection_id);
  if (!s) return core::errc::gone;
  s->close(1000, "Connection deleted");
  return {};
}

}  // namespace gateway
