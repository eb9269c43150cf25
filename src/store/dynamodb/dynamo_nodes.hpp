#pragma once
// store::DynamoNodes: the Nodes port on the `nodes` table (key `node`), and the connections
// table's Scan for sweeps. Costs (docs/scaling.md): beat = 1 PutItem; nodes() = 1 Scan of a
// few small rows; renew = 1 conditional PutItem; claim/remove = 1 conditional write each, once per dead node.
#include <memory>

#include "aws/dynamodb/sync_client.hpp"
#include "store/dynamodb/dynamo_tables.hpp"
#include "store/nodes.hpp"

namespace store {

class DynamoNodes final : public Nodes {
 public:
  // `client` outlives this: the node's own heartbeat client (app::ClusterNode), so that the
  // handlers' calls and retries cannot hold up a beat.
  DynamoNodes(aws::dynamodb::SyncClient& client, DynamoTables tables);

  core::result<void> beat(const Node& n) override;
  core::result<void> renew(const Node& n) override;
  core::result<std::vector<Node>> nodes() override;
  core::result<void> claim(const std::string& endpoint, const std::string& by, std::int64_t now,
                           std::int64_t until) override;
  core::result<void> remove(const std::string& endpoint, std::int64_t now) override;
  core::result<std::vector<Connection>> connections_of(const std::string& endpoint,
                                                       std::int64_t before) override;

 private:
  aws::dynamodb::SyncClient* client_;
  const DynamoTables tables_;
};

// A node row's DynamoDB TTL: a day past its last beat, long after any sweeper has dealt with it.
inline constexpr std::int64_t node_row_retention_seconds = 86400;

}  // namespace store
