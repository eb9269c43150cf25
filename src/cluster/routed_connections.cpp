#include "cluster/routed_connections.hpp"

#include <future>

#include "core/clock.hpp"
#include "core/log.hpp"

namespace cluster {
namespace {
boost::system::error_code gone() { return core::make_error_code(core::errc::gone); }
}  // namespace

RoutedConnections::RoutedConnections(apigw::Connections& local, store::Store& rows, const Liveness& liveness,
                                     std::shared_ptr<aws::http::BlockingClient> client, RoutingOptions options)
    : local_(local), rows_(rows), liveness_(liveness), client_(std::move(client)), options_(std::move(options)) {}

connections::Http* RoutedConnections::peer(const std::string& endpoint) {
  std::lock_guard lock(mutex_);
  auto it = peers_.find(endpoint);
  if (it != peers_.end()) return it->second.get();
  connections::HttpOptions o;
  o.endpoint = endpoint;
  o.region = options_.region;
  o.credentials = options_.credentials;
  o.max_in_flight = options_.max_in_flight;
  auto made = connections::Http::create(client_, std::move(o));
  if (!made) {
    core::log::error("a connection row names an unusable node endpoint", {{"gateway", endpoint}});
    peers_.emplace(endpoint, nullptr);
    return nullptr;
  }
  return peers_.emplace(endpoint, std::move(*made)).first->second.get();
}

std::optional<std::string> RoutedConnections::holder(const std::string& connection_id) {
  auto row = rows_.get_connection(connection_id);
  if (!row || !remote(row->gateway)) return std::nullopt;
  return row->gateway;
}

core::result<void> RoutedConnections::post(const std::string& connection_id, const apigw::SharedFrame& data) {
  auto r = local_.post(connection_id, data);
  if (r || r.error() != core::errc::gone) return r;
  auto node = holder(connection_id);
  if (!node) return r;
  auto* http = peer(*node);
  return http ? http->post(connection_id, data) : r;
}

std::vector<core::result<void>> RoutedConnections::post_many(std::span<const std::string> ids,
                                                             const apigw::SharedFrame& data) {
  std::vector<apigw::Recipient> to;
  to.reserve(ids.size());
  for (const auto& id : ids) to.push_back({id, {}});
  return post_recipients(to, data);
}

std::vector<core::result<void>> RoutedConnections::post_recipients(std::span<const apigw::Recipient> to,
                                                                   const apigw::SharedFrame& data) {
  std::vector<core::result<void>> out(to.size(), core::result<void>(gone()));
  // Peer endpoint → the indexes of its recipients.
  std::map<std::string, std::vector<std::size_t>> by_peer;
  const auto now = core::now_ms();
  for (std::size_t i = 0; i < to.size(); ++i) {
    const auto& r = to[i];
    if (remote(r.gateway)) {
      if (liveness_.node_dead(r.gateway, now)) continue;  // gone: its rows get cleaned up
      by_peer[r.gateway].push_back(i);
      continue;
    }
    out[i] = local_.post(r.connection_id, data);  // queues the frame: never blocks
    if (r.gateway.empty() && !out[i] && out[i].error() == core::errc::gone) {
      // A row that did not say where its socket is: look it up (one read).
      if (auto node = holder(r.connection_id)) by_peer[*node].push_back(i);
    }
  }
  auto send = [&](const std::string& endpoint, const std::vector<std::size_t>& idx) {
    auto* http = peer(endpoint);
    if (!http) return;
    std::vector<std::string> ids;
    ids.reserve(idx.size());
    for (auto i : idx) ids.push_back(to[i].connection_id);
    auto results = http->post_many(ids, data);
    for (std::size_t k = 0; k < idx.size(); ++k) out[idx[k]] = results[k];
  };
  // Every peer at once: this thread takes the last, one short-lived thread each other peer.
  std::vector<std::future<void>> others;
  for (auto it = by_peer.begin(); it != by_peer.end(); ++it) {
    if (std::next(it) == by_peer.end()) {
      send(it->first, it->second);
    } else {
      others.push_back(std::async(std::launch::async, [&, it] { send(it->first, it->second); }));
    }
  }
  for (auto& f : others) f.get();
  return out;
}

core::result<apigw::ConnectionInfo> RoutedConnections::get(const std::string& connection_id) {
  auto r = local_.get(connection_id);
  if (r || r.error() != core::errc::gone) return r;
  auto node = holder(connection_id);
  if (!node) return r;
  auto* http = peer(*node);
  return http ? http->get(connection_id) : r;
}

core::result<void> RoutedConnections::remove(const std::string& connection_id) {
  auto r = local_.remove(connection_id);
  if (r || r.error() != core::errc::gone) return r;
  auto node = holder(connection_id);
  if (!node) return r;
  auto* http = peer(*node);
  return http ? http->remove(connection_id) : r;
}

}  // namespace cluster
