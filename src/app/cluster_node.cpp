#include "app/cluster_node.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include "app/management_listener.hpp"
#include "app/tables_command.hpp"
#include "aws/http/endpoint.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "gateway/context.hpp"

namespace app {

std::string default_node_endpoint(const std::string& bind, unsigned short port, const std::string& stage) {
  return local_base("http", bind, port) + "/" + stage;
}

std::optional<aws::Credentials> management_credentials(const std::string& keys_file) {
  if (!keys_file.empty()) {
    std::ifstream in(keys_file);
    if (!in) throw std::invalid_argument("--management-keys: cannot read " + keys_file);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || line[0] == '#') continue;
      const auto colon = line.find(':');
      if (colon == 0 || colon == std::string::npos || colon + 1 == line.size())
        throw std::invalid_argument("--management-keys: a line is not ACCESS_KEY_ID:SECRET in " + keys_file);
      return aws::Credentials{line.substr(0, colon), line.substr(colon + 1), {}};
    }
    throw std::invalid_argument("--management-keys: no key in " + keys_file);
  }
  const char* id = std::getenv("PARLEY_MANAGEMENT_ACCESS_KEY_ID");
  const char* secret = std::getenv("PARLEY_MANAGEMENT_SECRET_ACCESS_KEY");
  if (id && *id && secret && *secret) return aws::Credentials{id, secret, {}};
  return std::nullopt;
}

namespace {

// Timeouts within one beat interval, and one retry: a beat that cannot get through is better
// retried at the next round than waited on past the ttl.
std::shared_ptr<aws::dynamodb::SyncClient> heartbeat_client(const Options& o) {
  const auto ttl = std::chrono::seconds(o.number("node-ttl"));
  const auto interval = std::max(std::chrono::milliseconds(200), std::chrono::duration_cast<std::chrono::milliseconds>(ttl) / 3);
  auto config = dynamo_settings(o).client;
  config.retry.max_attempts = 2;
  aws::http::ClientOptions http;
  http.connect_timeout = std::min(std::chrono::milliseconds(2000), interval);
  http.request_timeout = std::min(std::chrono::milliseconds(5000), interval);
  http.max_connections_per_endpoint = 2;  // the beat thread and the sweep thread
  return std::make_shared<aws::dynamodb::SyncClient>(std::move(config), std::move(http));
}

}  // namespace

ClusterNode::ClusterNode(store::Dynamo& dynamo, store::Tables shared, const Options& o)
    : dynamo_(dynamo),
      shared_(shared),
      endpoint_option_(o.get("node-endpoint")),
      liveness_("", core::now_ms()),
      node_store_(shared, liveness_),
      heartbeat_client_(heartbeat_client(o)),
      nodes_(*heartbeat_client_, dynamo.table_names()) {
  if (!endpoint_option_.empty() && !aws::http::parse_endpoint(endpoint_option_))
    throw std::invalid_argument("--node-endpoint must be an http(s) URL, e.g. http://10.0.0.5:8080/dev");
  const auto ttl_s = o.number("node-ttl");
  heartbeat_options_.ttl = std::chrono::seconds(ttl_s);
  heartbeat_options_.interval = std::max(std::chrono::milliseconds(200), heartbeat_options_.ttl / 3);
  routing_options_.region = o.get("region");
  routing_options_.credentials = management_credentials(o.get("management-keys"));
  // PARLEY_NODE_BATCH=0: one post per remote recipient, as before the batch post (for an A/B of
  // the two on the same build, bench/cluster.sh; docs/performance-notes.md).
  if (const char* v = std::getenv("PARLEY_NODE_BATCH"); v && std::string_view(v) == "0")
    routing_options_.batch = false;
}

ClusterNode::~ClusterNode() {
  if (verifier_.joinable()) verifier_.join();
  if (heartbeat_) heartbeat_->stop(false);
}

bool ClusterNode::attach(gateway::Server& server, integration::InProcess& handlers) {
  const auto& c = server.config();
  // By default the management listener: unsigned between nodes on one host, as before; nodes
  // on other machines give --node-endpoint (the public port, signed) or --management-bind.
  liveness_.set_self(endpoint_option_.empty()
                         ? default_node_endpoint(c.management_bind, server.management_port(), c.stage)
                         : endpoint_option_);
  // A message being stored when its node died: its retry on another node need not wait out
  // the claim lease.
  // Judged on this node's own clock (Liveness::silent), never by comparing another node's.
  dynamo_.set_claim_owner(liveness_.self(), [this](const std::string& owner) {
    return liveness_.silent(owner, heartbeat_options_.ttl);
  });
  aws::http::ClientOptions http;
  http.connect_timeout = std::chrono::milliseconds(1000);  // a dead peer fails fast
  http.request_timeout = std::chrono::milliseconds(5000);
  http.max_connections_per_endpoint = routing_options_.max_in_flight;
  routed_ = std::make_unique<cluster::RoutedConnections>(server.context().connections, node_store_, liveness_,
                                                         std::make_shared<aws::http::BlockingClient>(http),
                                                         routing_options_);
  handlers.set_connections(*routed_);
  auto& registry = server.context().registry;
  server.context().probe_id = "probe-" + core::new_hex_id();
  heartbeat_ = std::make_unique<cluster::Heartbeat>(
      nodes_, liveness_, handlers::Ports{node_store_.tables(), *routed_}, shared_, heartbeat_options_, [&registry] {
        for (auto& s : registry.all()) s->close(1012, "Service Restart");
      });
  // A store that fails for a moment (throttled, a 500) must not stop a node from starting: the
  // join is idempotent (an unconditional put of this run's row, a read, a sweep of this
  // endpoint's older rows), so it is tried again for a few seconds before giving up.
  auto j = heartbeat_->join();
  for (auto delay = std::chrono::milliseconds(200), waited = std::chrono::milliseconds(0);
       !j && j.error() == core::errc::store_unavailable && waited < std::chrono::seconds(8);
       waited += delay, delay = std::min(delay * 2, std::chrono::milliseconds(2000))) {
    core::log::warn("cannot register this node yet: trying again",
                    {{"node", liveness_.self()}, {"error", j.error().message()}, {"delayMs", delay.count()}});
    std::this_thread::sleep_for(delay);
    j = heartbeat_->join();
  }
  if (!j) {
    std::cerr << "parley: cannot register this node (" << liveness_.self() << ") in the DynamoDB table "
              << dynamo_.table_names().nodes << ": " << j.error().message()
              << " (is DynamoDB reachable? tables made by an older version lack this one: "
                 "`parley tables create` or --create-tables adds it)\n";
    return false;
  }
  heartbeat_->start();
  return true;
}

namespace {

// Why GET {endpoint}/@connections/{probe} did not come back from this process, in words.
std::string probe_failure(const core::result<apigw::ConnectionInfo>& r) {
  if (r) return "";
  if (r.error() == core::errc::gone)
    return "it is answered by another process (410 for this node's probe id): another node's or "
           "another server's address";
  if (r.error() == core::errc::forbidden)
    return "its management API refused this node (403): the node-to-node keys (--management-keys) "
           "must be ones it accepts; the public port accepts only signed calls, so without keys "
           "give the management listener's address (--management-port, --management-bind)";
  return "no management API answered there (" + r.error().message() +
         "): a wrong host or port, or a path without the stage (it must end in /<stage>)";
}

}  // namespace

void ClusterNode::verify_endpoint(gateway::Server& server, std::function<void()> ready) {
  const std::string probe = server.context().probe_id;
  verifier_ = std::thread([this, &server, probe, ready = std::move(ready)] {
    aws::http::ClientOptions http;
    http.connect_timeout = std::chrono::milliseconds(2000);
    http.request_timeout = std::chrono::milliseconds(5000);
    connections::HttpOptions o;
    o.endpoint = liveness_.self();
    o.region = routing_options_.region;
    o.credentials = routing_options_.credentials;
    auto client = connections::Http::create(std::make_shared<aws::http::BlockingClient>(http), o);
    std::string why = client ? probe_failure((*client)->get(probe)) : "it is not an http(s) URL";
    if (why.empty()) {
      core::log::info("node endpoint verified", {{"node", liveness_.self()}});
      ready();
      return;
    }
    std::cerr << "parley: --node-endpoint " << liveness_.self() << " does not reach this node's management API: "
              << why << ". The other nodes post to this address; give the URL they reach this node by, "
              << "e.g. http://10.0.0.5:8080/" << server.config().stage << "\n";
    refused_ = true;
    if (heartbeat_) heartbeat_->stop(true);  // leave the cluster: nobody is to route here
    server.shutdown(std::chrono::milliseconds(0));
  });
}

void ClusterNode::stop() {
  if (verifier_.joinable()) verifier_.join();
  if (heartbeat_) heartbeat_->stop(true);
}

}  // namespace app
