#include "cluster/routed_connections.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <future>

#include "apigw/post_batch.hpp"
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

// Requests sent to other nodes, by kind: a batch post, or one PostToConnection.
core::metrics::Counter& node_requests(const char* kind) {
  return core::metrics::registry().counter("parley_node_requests_total",
                                           "Posts sent to other nodes' management APIs, by kind",
                                           std::string("kind=\"") + kind + "\"");
}
core::metrics::Counter& batch_requests() {
  static auto& c = node_requests("batch");
  return c;
}
core::metrics::Counter& single_requests() {
  static auto& c = node_requests("post");
  return c;
}

}  // namespace

RoutedConnections::RoutedConnections(apigw::Connections& local, store::ConnectionTable& rows, const Liveness& liveness,
                                     std::shared_ptr<aws::http::BlockingClient> client, RoutingOptions options)
    : local_(local), rows_(rows), liveness_(liveness), client_(std::move(client)), options_(std::move(options)) {}

RoutedConnections::Peer* RoutedConnections::peer(const std::string& endpoint) {
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
  auto p = std::make_unique<Peer>();
  p->http = std::move(*made);
  return peers_.emplace(endpoint, std::move(p)).first->second.get();
}

std::optional<std::string> RoutedConnections::holder(const std::string& connection_id) {
  auto row = rows_.get_connection(connection_id);
  if (!row || !remote(row->gateway)) return std::nullopt;
  return row->gateway;
}

std::vector<core::result<void>> RoutedConnections::post(const apigw::Recipients& to,
                                                        const apigw::SharedFrame& data,
                                                        apigw::PostOptions options) {
  const auto n = to.ids.size();
  std::vector<core::result<void>> out(n, core::result<void>(gone()));
  // Peer endpoint → the indexes of its recipients.
  std::map<std::string, std::vector<std::size_t>> by_peer;
  // No shortcut for a node the view says is dead: the store view already left out that node's
  // rows, so a row naming it here was written by its rejoined run (after a fence), which the
  // view has not read yet. Answering 410 would make the sender delete it.
  const auto is_remote = [&](std::size_t i) {
    const auto* gateway = to.gateway_of(i);
    return gateway && remote(*gateway);
  };
  std::size_t held_elsewhere = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (is_remote(i)) {
      by_peer[*to.gateway_of(i)].push_back(i);
      ++held_elsewhere;
    }
  // The rest in one local post (it queues: never blocks); the room's list as given when all of
  // it is local.
  std::vector<std::size_t> here;
  if (held_elsewhere == 0) {
    out = local_.post(to, data, options);
    for (std::size_t i = 0; i < n; ++i) here.push_back(i);
  } else if (held_elsewhere < n) {
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < n; ++i)
      if (!is_remote(i)) {
        here.push_back(i);
        ids.push_back(to.ids[i]);
      }
    auto results = local_.post(apigw::Recipients{ids}, data, options);
    for (std::size_t k = 0; k < here.size(); ++k) out[here[k]] = std::move(results[k]);
  }
  for (const auto i : here) {
    const auto* gateway = to.gateway_of(i);
    if ((gateway && !gateway->empty()) || out[i] || out[i].error() != core::errc::gone) continue;
    // A row that did not say where its socket is: look it up (one read).
    if (auto node = holder(to.ids[i])) by_peer[*node].push_back(i);
  }
  if (!by_peer.empty()) post_remote(by_peer, to.ids, *data, out);
  return out;
}

void RoutedConnections::post_remote(const std::map<std::string, std::vector<std::size_t>>& by_peer,
                                    std::span<const std::string> ids, const std::string& data,
                                    std::vector<core::result<void>>& out) {
  // Per peer, one coroutine on the client's one I/O thread sending the batch posts (one request
  // per apigw::batch::max_ids recipients, each after the one before: a fan-out's frames reach
  // a node in order), or up to max_in_flight workers each posting that peer's next recipient;
  // the peers side by side. Everything below runs on that thread (no locks); this caller blocks
  // until the last coroutine is done, which keeps ids/data/out alive.
  struct Queue {
    Peer* peer;
    std::string endpoint;
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
    if (auto* p = peer(endpoint)) shared->queues.push_back({p, endpoint, &idx});
  if (shared->queues.empty()) return;
  auto finished = shared->done.get_future();
  auto ex = client_->executor();
  const auto max_in_flight = std::max<std::size_t>(options_.max_in_flight, 1);
  const auto on_done = [shared](std::exception_ptr e) {
    if (e) core::log::error("routed post worker failed");
    if (--shared->running == 0) shared->done.set_value();
  };
  // Spawns the workers posting queue qi's recipients from q.next on, one by one.
  const auto one_by_one = [shared, ex, ids, &data, &out, max_in_flight, on_done](std::size_t qi) {
    auto& q = shared->queues[qi];
    const auto n = std::min(max_in_flight, q.idx->size() - q.next);
    shared->running += n;
    for (std::size_t w = 0; w < n; ++w) {
      auto worker = [shared, qi, ids, &data, &out]() -> boost::asio::awaitable<void> {
        auto& q = shared->queues[qi];
        while (q.next < q.idx->size()) {
          const auto i = (*q.idx)[q.next++];
          single_requests().inc();
          out[i] = co_await q.peer->http->async_post(ids[i], data);
        }
      };
      boost::asio::co_spawn(ex, worker, on_done);
    }
  };
  const bool batching = options_.batch;
  // Held by the first coroutine too: none may start before all are counted in `running`.
  shared->running = 1;
  boost::asio::post(ex, [shared, ex, ids, &data, &out, one_by_one, on_done, batching] {
    for (std::size_t qi = 0; qi < shared->queues.size(); ++qi) {
      auto& q = shared->queues[qi];
      // A single recipient: the plain post is the same one request.
      if (!batching || q.idx->size() < 2 || core::now_ms() < q.peer->one_by_one_until.load()) {
        one_by_one(qi);
        continue;
      }
      ++shared->running;
      auto sender = [shared, qi, ids, &data, &out, one_by_one]() -> boost::asio::awaitable<void> {
        auto& q = shared->queues[qi];
        std::vector<std::string> chunk;
        std::vector<std::size_t> at;  // chunk[k] answers out[at[k]]
        while (q.next < q.idx->size()) {
          const auto n = std::min(apigw::batch::max_ids, q.idx->size() - q.next);
          chunk.clear();
          at.clear();
          for (std::size_t k = 0; k < n; ++k) {
            const auto i = (*q.idx)[q.next + k];
            // No node holds a connection by an id a batch cannot carry (no Parley or AWS id
            // looks so): gone, as a single post's 410 would say, rather than a refused batch.
            if (!apigw::batch::valid_id(ids[i])) {
              out[i] = gone();
              continue;
            }
            chunk.push_back(ids[i]);
            at.push_back(i);
          }
          if (chunk.empty()) {
            q.next += n;
            continue;
          }
          batch_requests().inc();
          auto results = co_await q.peer->http->async_post_batch(chunk, data);
          if (!results) {
            // Not served there: post the rest one by one, and ask again in a minute.
            q.peer->one_by_one_until = core::now_ms() + 60'000;
            core::log::info("a node does not serve batch posts: posting to it one by one",
                            {{"peer", q.endpoint}});
            one_by_one(qi);
            co_return;
          }
          for (std::size_t k = 0; k < chunk.size(); ++k) out[at[k]] = std::move((*results)[k]);
          q.next += n;
        }
      };
      boost::asio::co_spawn(ex, sender, on_done);
    }
    on_done(nullptr);
  });
  finished.wait();
  for (const auto& [endpoint, idx] : by_peer) count_failures(endpoint, idx, out);
}

core::result<apigw::ConnectionInfo> RoutedConnections::get(const std::string& connection_id) {
  auto r = local_.get(connection_id);
  if (r || r.error() != core::errc::gone) return r;
  auto node = holder(connection_id);
  if (!node) return r;
  auto* p = peer(*node);
  return p ? p->http->get(connection_id) : r;
}

core::result<void> RoutedConnections::remove(const std::string& connection_id) {
  auto r = local_.remove(connection_id);
  if (r || r.error() != core::errc::gone) return r;
  auto node = holder(connection_id);
  if (!node) return r;
  auto* p = peer(*node);
  return p ? p->http->remove(connection_id) : r;
}

}  // namespace cluster
