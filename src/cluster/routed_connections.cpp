#include "cluster/routed_connections.hpp"

#include <boost/asio/co_spawn.hpp>

#include <algorithm>
#include <future>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"

namespace cluster {
namespace {
boost::system::error_code gone() { return core::make_error_code(core::errc::gone); }

// A post to another node that failed for another reason than 410 (the socket is gone there):
// the member stays in the room but missed the live frame (it catches up by the seq rules). Never
// silent: counted in /metrics by reason, and logged once per peer and fan-out.
const char* failure_reason(const boost::system::error_code& e) {
  if (e == core::errc::forbidden) return "forbidden";
  if (e == core::errc::limit_exceeded) return "throttled";
  if (e == core::errc::payload_too_large) return "too_large";
  return "unreachable";
}

void count_failures(const std::string& peer, const std::vector<std::size_t>& idx,
                    const std::vector<core::result<void>>& out) {
  std::size_t failed = 0;
  boost::system::error_code first;
  for (const auto i : idx) {
    if (out[i] || out[i].error() == core::errc::gone) continue;
    if (failed++ == 0) first = out[i].error();
    core::metrics::registry()
        .counter("parley_node_post_failures_total",
                 "Posts to a connection held by another node that failed (not 410 Gone), by reason",
                 std::string("reason=\"") + failure_reason(out[i].error()) + "\"")
        .inc();
  }
  if (failed > 0)
    core::log::warn("posts to another node failed: its members missed this frame",
                    {{"peer", peer}, {"failed", failed}, {"of", idx.size()},
                     {"reason", failure_reason(first)}, {"error", first.message()}});
}

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
  if (!http) return r;
  std::vector<core::result<void>> out{http->post(connection_id, data)};
  count_failures(*node, {0}, out);
  return out[0];
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
  for (std::size_t i = 0; i < to.size(); ++i) {
    const auto& r = to[i];
    if (remote(r.gateway)) {
      // No shortcut for a node the view says is dead: the store view already left out that
      // node's rows, so a row naming it here was written by its rejoined run (after a fence),
      // which the view has not read yet. Answering 410 would make the sender delete it.
      by_peer[r.gateway].push_back(i);
      continue;
    }
    out[i] = local_.post(r.connection_id, data);  // queues the frame: never blocks
    if (r.gateway.empty() && !out[i] && out[i].error() == core::errc::gone) {
      // A row that did not say where its socket is: look it up (one read).
      if (auto node = holder(r.connection_id)) by_peer[*node].push_back(i);
    }
  }
  if (!by_peer.empty()) post_remote(by_peer, to, *data, out);
  return out;
}

void RoutedConnections::post_remote(const std::map<std::string, std::vector<std::size_t>>& by_peer,
                                    std::span<const apigw::Recipient> to, const std::string& data,
                                    std::vector<core::result<void>>& out) {
  // Per peer, up to max_in_flight workers on the client's one I/O thread, each taking that
  // peer's next recipient until none is left; the peers side by side. Everything below runs on
  // that thread (no locks); this caller blocks until the last worker is done, which keeps
  // to/data/out alive.
  struct Queue {
    connections::Http* http;
    const std::vector<std::size_t>* idx;
    std::size_t next = 0;
  };
  struct Shared {
    std::vector<Queue> queues;
    std::size_t running = 0;
    std::promise<void> done;
  };
  auto shared = std::make_shared<Shared>();
  for (const auto& [endpoint, idx] : by_peer)
    if (auto* http = peer(endpoint)) shared->queues.push_back({http, &idx});
  std::vector<std::size_t> workers_of;
  for (const auto& q : shared->queues) {
    const auto n = std::min(std::max<std::size_t>(options_.max_in_flight, 1), q.idx->size());
    workers_of.push_back(n);
    shared->running += n;
  }
  if (shared->running == 0) return;
  auto finished = shared->done.get_future();
  for (std::size_t qi = 0; qi < shared->queues.size(); ++qi) {
    for (std::size_t w = 0; w < workers_of[qi]; ++w) {
      auto worker = [shared, qi, &to, &data, &out]() -> boost::asio::awaitable<void> {
        auto& q = shared->queues[qi];
        while (q.next < q.idx->size()) {
          const auto i = (*q.idx)[q.next++];
          out[i] = co_await q.http->async_post(to[i].connection_id, data);
        }
      };
      boost::asio::co_spawn(client_->executor(), worker, [shared](std::exception_ptr e) {
        if (e) core::log::error("routed post worker failed");
        if (--shared->running == 0) shared->done.set_value();
      });
    }
  }
  finished.wait();
  for (const auto& [endpoint, idx] : by_peer) count_failures(endpoint, idx, out);
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
