#include "gateway/local_connections.hpp"

namespace gateway {

core::result<void> LocalConnections::post(const std::string& connection_id,
                                          const apigw::SharedFrame& data) {
  if (data->size() > max_post_bytes_) return core::errc::payload_too_large;
  auto s = registry_.find(connection_id);
  if (!s) return core::errc::gone;
  return s->send(data);
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
