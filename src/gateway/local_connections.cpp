#include "gateway/local_connections.hpp"

#include "gateway/loop_inbox.hpp"

namespace gateway {

core::result<void> LocalConnections::post(const std::string& connection_id,
                                          const apigw::SharedFrame& data) {
  if (data->size() > max_post_bytes_) {
    metrics_.posts_too_large.inc();
    return core::errc::payload_too_large;
  }
  auto s = registry_.find(connection_id);
  if (!s) {
    metrics_.posts_gone.inc();
    return core::errc::gone;
  }
  auto r = s->send(data);
  (r ? metrics_.posts_ok : metrics_.posts_throttled).inc();
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
  std::size_t ok = 0, gone = 0, throttled = 0;
  {
    LoopInbox::Batch batch;
    for (const auto& s : sessions) {
      if (!s) {
        ++gone;
        out.emplace_back(core::errc::gone);
        continue;
      }
      auto r = s->send(data);
      ++(r ? ok : r.error() == core::errc::gone ? gone : throttled);
      out.push_back(std::move(r));
    }
  }
  metrics_.posts_ok.inc(ok);
  metrics_.posts_gone.inc(gone);
  metrics_.posts_throttled.inc(throttled);
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
