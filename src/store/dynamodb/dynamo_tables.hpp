#pragma once
// The names of the six DynamoDB tables of docs/data-model.md. Configurable because one AWS
// account holds several deployments (prefix), and because Lambda handlers get their tables from
// the environment (WEBSOCKET_TABLE is the seed's name for the connections table).
#include <string>

namespace store {

struct DynamoTables {
  std::string connections = "parley-connections";
  std::string members = "parley-members";
  std::string messages = "parley-messages";
  std::string rooms = "parley-rooms";
  std::string clientmsgs = "parley-clientmsgs";
  // One row per `parley serve` node sharing the tables: its heartbeat (docs/scaling.md).
  std::string nodes = "parley-nodes";

  // "<prefix>connections", "<prefix>members", ...; the default prefix is "parley-".
  static DynamoTables with_prefix(const std::string& prefix);
  // with_prefix(prefix), then each name overridden by its variable when set and non-empty:
  // WEBSOCKET_TABLE, MEMBERS_TABLE, MESSAGES_TABLE, ROOMS_TABLE, CLIENTMSGS_TABLE,
  // NODES_TABLE.
  static DynamoTables from_env(const std::string& prefix = "parley-");
};

// The GSI of the members table that answers "which rooms is this connection in".
inline constexpr const char* kConnectionIndex = "connection-index";

}  // namespace store
