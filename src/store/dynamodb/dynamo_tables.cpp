#include "store/dynamodb/dynamo_tables.hpp"

#include <cstdlib>

namespace store {
namespace {

void override_from(const char* variable, std::string& name) {
  if (const char* v = std::getenv(variable); v && *v) name = v;
}

}  // namespace

DynamoTables DynamoTables::with_prefix(const std::string& prefix) {
  return {prefix + "connections", prefix + "members", prefix + "messages", prefix + "rooms",
          prefix + "clientmsgs",
          prefix + "nodes"};
}

DynamoTables DynamoTables::from_env(const std::string& prefix) {
  auto t = with_prefix(prefix);
  override_from("WEBSOCKET_TABLE", t.connections);
  override_from("MEMBERS_TABLE", t.members);
  override_from("MESSAGES_TABLE", t.messages);
  override_from("ROOMS_TABLE", t.rooms);
  override_from("CLIENTMSGS_TABLE", t.clientmsgs);
  override_from("NODES_TABLE", t.nodes);
  return t;
}

}  // namespace store
