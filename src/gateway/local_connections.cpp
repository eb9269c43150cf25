#include "gateway/local_connections.hpp"

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
