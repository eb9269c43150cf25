#pragma once
// The parts `parley serve --store dynamodb` adds so that any number of nodes share the tables
// (docs/scaling.md): the node's view of the store (NodeStore), posts routed to the node holding
// each socket (RoutedConnections), and the heartbeat that keeps this node alive and sweeps dead
// ones. Options: --node-endpoint, --node-ttl, --management-keys, --region.
#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <string>

#include "app/options.hpp"
#include "cluster/heartbeat.hpp"
#include "cluster/liveness.hpp"
#include "cluster/node_store.hpp"
#include "cluster/routed_connections.hpp"
#include "gateway/server.hpp"
#include "integration/in_process.hpp"
#include "store/dynamodb/dynamo_nodes.hpp"
#include "store/dynamodb/dynamo_store.hpp"

namespace app {

class ClusterNode {
 public:
  // `shared`: the store every node uses (the timed Dynamo), `dynamo` the adapter under it.
  // Throws std::invalid_argument for a bad option.
  ClusterNode(store::Dynamo& dynamo, store::Tables shared, const Options& o);
  ~ClusterNode();

  // What the handlers get instead of `shared`.
  store::Tables store() { return node_store_.tables(); }

  // Once the server is bound: names this node, routes the handlers' posts, joins the cluster
  // and starts the heartbeat. False after printing why it cannot.
  bool attach(gateway::Server& server, integration::InProcess& handlers);
  // Just before server.run(): a thread checks, once the server answers, that --node-endpoint
  // reaches this very process's management API (GET @connections/{probe id}, signed as every
  // node-to-node call): the other nodes post there. Then it calls `ready` (the banner); or it
  // prints why not, leaves the cluster and shuts the server down, and refused() turns true.
  void verify_endpoint(gateway::Server& server, std::function<void()> ready);
  bool refused() const { return refused_.load(); }
  // After the server stopped and the handlers drained: stops beating and deletes this node's row.
  void stop();

  const std::string& endpoint() const { return liveness_.self(); }

 private:
  store::Dynamo& dynamo_;
  store::Tables shared_;
  std::string endpoint_option_;
  cluster::HeartbeatOptions heartbeat_options_;
  cluster::RoutingOptions routing_options_;
  cluster::Liveness liveness_;
  cluster::NodeStore node_store_;
  // The heartbeat's own DynamoDB client (its own connections, I/O thread and retry quota): a
  // handler storm waiting on, or retrying against, a slow store cannot delay a beat past the
  // ttl and get this node presumed dead.
  std::shared_ptr<aws::dynamodb::SyncClient> heartbeat_client_;
  store::DynamoNodes nodes_;
  std::unique_ptr<cluster::RoutedConnections> routed_;
  std::unique_ptr<cluster::Heartbeat> heartbeat_;
  std::thread verifier_;
  std::atomic<bool> refused_{false};
};

// The default --node-endpoint: http://<bind, or 127.0.0.1 for a wildcard>:<port>/<stage>, given
// the management listener's address and port.
std::string default_node_endpoint(const std::string& bind, unsigned short port, const std::string& stage);

// Node-to-node signing keys: the first ACCESS_KEY_ID:SECRET line of `keys_file` when given, else
// PARLEY_MANAGEMENT_ACCESS_KEY_ID + PARLEY_MANAGEMENT_SECRET_ACCESS_KEY, else none (unsigned).
// Throws std::invalid_argument for an unreadable file or a malformed line.
std::optional<aws::Credentials> management_credentials(const std::string& keys_file);

}  // namespace app
