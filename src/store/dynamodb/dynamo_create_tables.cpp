#include "store/dynamodb/dynamo_create_tables.hpp"

#include <boost/json/array.hpp>
#include <chrono>
#include <vector>

#include "core/log.hpp"
#include "store/dynamodb/dynamo_errors.hpp"

namespace store {
namespace {

namespace json = boost::json;

json::object attribute(const char* name, const char* type) {
  return {{"AttributeName", name}, {"AttributeType", type}};
}

json::array key_schema(const char* hash, const char* range = nullptr) {
  json::array k{json::object{{"AttributeName", hash}, {"KeyType", "HASH"}}};
  if (range) k.push_back(json::object{{"AttributeName", range}, {"KeyType", "RANGE"}});
  return k;
}

std::vector<TableSpec> specs(const DynamoTables& t) {
  auto table = [](const std::string& name, json::array attributes, json::array key) {
    return json::object{{"TableName", name},
                        {"AttributeDefinitions", std::move(attributes)},
                        {"KeySchema", std::move(key)},
                        {"BillingMode", "PAY_PER_REQUEST"}};
  };
  auto members = table(t.members, {attribute("room", "S"), attribute("connectionid", "S")},
                       key_schema("room", "connectionid"));
  members["GlobalSecondaryIndexes"] = json::array{json::object{
      {"IndexName", kConnectionIndex},
      {"KeySchema", key_schema("connectionid", "room")},
      {"Projection", json::object{{"ProjectionType", "ALL"}}}}};
  return {
      {t.connections, table(t.connections, {attribute("connectionid", "S")}, key_schema("connectionid")), "ttl"},
      {t.members, std::move(members), "ttl"},
      {t.messages, table(t.messages, {attribute("room", "S"), attribute("seq", "N")}, key_schema("room", "seq")), "ttl"},
      // The counters outlive every message: no ttl.
      {t.rooms, table(t.rooms, {attribute("room", "S")}, key_schema("room")), ""},
      {t.clientmsgs,
       table(t.clientmsgs, {attribute("room", "S"), attribute("clientMsgId", "S")}, key_schema("room", "clientMsgId")),
       "ttl"},
      // Heartbeats of the serve nodes; ttl (a day past the last beat) drops abandoned ones.
      {t.nodes, table(t.nodes, {attribute("node", "S")}, key_schema("node")), "ttl"},
  };
}

}  // namespace

core::result<void> create_tables(aws::dynamodb::SyncClient& client, const DynamoTables& tables,
                                 std::ostream& progress) {
  return create_tables(client, specs(tables), progress);
}

core::result<void> create_tables(aws::dynamodb::SyncClient& client, std::vector<TableSpec> list,
                                 std::ostream& progress) {
  return guarded("create_tables", [&]() -> core::result<void> {
    int i = 0;
    for (auto& spec : list) {
      ++i;
      progress << "[" << i << "/" << list.size() << "] table " << spec.name << ": " << std::flush;
      const auto started = std::chrono::steady_clock::now();
      auto made = client.ensure_table(std::move(spec.create));
      if (!made) {
        progress << "failed: " << made.error().what() << std::endl;
        return store_error(made.error(), "create_table", spec.name);
      }
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
      progress << (*made ? "created, ACTIVE after " + std::to_string(ms.count()) + " ms" : "already there, ACTIVE");
      if (!spec.ttl_attribute.empty()) {
        auto ttl = client.ensure_ttl(spec.name, spec.ttl_attribute);
        if (ttl && *ttl) {
          progress << "; TTL on " << spec.ttl_attribute << " enabled";
        } else {
          // dynalite has no UpdateTimeToLive; other backends may refuse it too. Rows then stay
          // until deleted (reads never depend on the sweep): worth a line, not a failure.
          const std::string why = ttl ? "not supported by this endpoint" : ttl.error().what();
          progress << "; TTL not enabled (" << why << ")";
          core::log::debug("dynamodb ttl not enabled", {{"table", spec.name}, {"reason", why}});
        }
      }
      progress << std::endl;
    }
    return {};
  });
}

}  // namespace store
