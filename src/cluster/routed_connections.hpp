#pragma once
// cluster::RoutedConnections: the Connections port of a node sharing its store with other
// nodes, as API Gateway routes @connections calls to whichever server holds the socket.
//  * A connection held here goes to this node's registry (`local`).
//  * One held by another node goes to that node's management API (connections::Http,
//    SigV4-signed when keys are configured), found from the row's `gateway`: the member rows of
//    a fan-out carry it (Recipients::gateways: no store read per recipient); a single post to an id
//    not held here reads its connection row once.
//  * A row of a node known dead, or no row at all, is gone (410): the handlers then clean the
//    rows up as for any gone connection.
// The remote recipients of one fan-out go to each peer node in one request: Parley's batch post
// (apigw/post_batch.hpp, the frame once and the peer's ids), the peers side by side on the HTTP
// client's I/O thread (coroutines, no thread per post) over keep-alive connections. A peer that
// does not serve batches (404: it advertises its public port, or runs an older Parley) gets one
// PostToConnection per recipient, up to max_in_flight at once, and is asked again a minute later.
// Peer management APIs never forward further (they serve their own registry), so a post crosses
// at most one hop.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "apigw/connections.hpp"
#include "aws/apigw/http_connections.hpp"
#include "aws/http/blocking_client.hpp"
#include "aws/sigv4/credentials.hpp"
#include "cluster/liveness.hpp"
#include "store/store.hpp"

namespace cluster {

struct RoutingOptions {
  std::string region = "us-east-1";                // SigV4 scope of node-to-node calls
  std::optional<aws::Credentials> credentials;     // nullopt: unsigned (open loopback APIs)
  std::size_t max_in_flight = 32;                  // concurrent posts per peer node (one by one)
  bool batch = true;                               // false: never the batch post (A/B, old peers)
};

class RoutedConnections final : public apigw::Connections {
 public:
  // `rows` answers get_connection for ids not held here (a NodeStore: dead rows are not found).
  RoutedConnections(apigw::Connections& local, store::ConnectionTable& rows, const Liveness& liveness,
                    std::shared_ptr<aws::http::BlockingClient> client, RoutingOptions options);

  // The recipients held here in one post to `local` (with the options: linger, the room's
  // list); those of other nodes to their management APIs, all at once.
  std::vector<core::result<void>> post(const apigw::Recipients& to, const apigw::SharedFrame& data,
                                       apigw::PostOptions options = {}) override;
  core::result<apigw::ConnectionInfo> get(const std::string& connection_id) override;
  core::result<void> remove(const std::string& connection_id) override;

 private:
  struct Peer {
    std::unique_ptr<connections::Http> http;
    // Until then (core::now_ms) the peer is posted one by one: it answered a batch with 404.
    std::atomic<std::int64_t> one_by_one_until{0};
  };
  // The peer; nullptr when `endpoint` is not a usable URL (logged once).
  Peer* peer(const std::string& endpoint);
  // The node holding `connection_id` by its row; nullopt when it is gone everywhere.
  std::optional<std::string> holder(const std::string& connection_id);
  // Posts the recipients grouped by peer endpoint, all peers at once; fills `out`.
  void post_remote(const std::map<std::string, std::vector<std::size_t>>& by_peer,
                   std::span<const std::string> ids, const std::string& data,
                   std::vector<core::result<void>>& out);
  bool remote(const std::string& gateway) const { return !gateway.empty() && gateway != liveness_.self(); }

  apigw::Connections& local_;
  store::ConnectionTable& rows_;
  const Liveness& liveness_;
  std::shared_ptr<aws::http::BlockingClient> client_;
  RoutingOptions options_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Peer>> peers_;
};

}  // namespace cluster
