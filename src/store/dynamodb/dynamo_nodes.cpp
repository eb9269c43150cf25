#include "store/dynamodb/dynamo_nodes.hpp"

#include "store/dynamodb/dynamo_errors.hpp"
#include "store/dynamodb/dynamo_items.hpp"

namespace store {
namespace {

namespace json = boost::json;
using aws::dynamodb::item_to_json;
using aws::dynamodb::Item;
using namespace dynamo_items;

bool is_conditional(const aws::dynamodb::Error& e) {
  return e.is(aws::dynamodb::errc::conditional_check_failed);
}

boost::system::error_code invalid() { return core::make_error_code(core::errc::invalid_argument); }

}  // namespace

DynamoNodes::DynamoNodes(aws::dynamodb::SyncClient& client, DynamoTables tables)
    : client_(&client), tables_(std::move(tables)) {}

namespace {

boost::json::object node_put(const DynamoTables& tables, const Node& node) {
  Item item{{"node", s(node.endpoint)},
            {"startedAt", n(node.started_at)},
            {"expiresAt", n(node.expires_at)},
            {"ttl", n(node.expires_at / 1000 + node_row_retention_seconds)}};
  auto r = request(tables.nodes);
  r["Item"] = item_to_json(item);
  return r;
}

}  // namespace

core::result<void> DynamoNodes::beat(const Node& node) {
  return guarded("node_beat", [&]() -> core::result<void> {
    if (node.endpoint.empty()) return invalid();
    if (auto p = client_->put_item(node_put(tables_, node)); !p) return store_error(p.error(), "node_beat", tables_.nodes);
    return {};
  });
}

core::result<void> DynamoNodes::renew(const Node& node) {
  return guarded("node_renew", [&]() -> core::result<void> {
    if (node.endpoint.empty()) return invalid();
    auto r = node_put(tables_, node);
    // Still this run's row (not deleted by a sweep, not replaced by a newer run on the same
    // endpoint) and nobody sweeping it. A version check on the row, no clock compared.
    r["ConditionExpression"] = "#st = :st AND attribute_not_exists(#sw)";
    r["ExpressionAttributeNames"] = json::object{{"#st", "startedAt"}, {"#sw", "sweeper"}};
    r["ExpressionAttributeValues"] = json::object{{":st", n(node.started_at).to_json()}};
    auto p = client_->put_item(std::move(r));
    if (p) return {};
    if (is_conditional(p.error())) return core::make_error_code(core::errc::conflict);
    return store_error(p.error(), "node_renew", tables_.nodes);
  });
}

core::result<std::vector<Node>> DynamoNodes::nodes() {
  return guarded("nodes", [&]() -> core::result<std::vector<Node>> {
    auto r = request(tables_.nodes);
    r["ConsistentRead"] = true;  // a beat just written counts
    auto page = client_->scan_all(std::move(r));
    if (!page) return store_error(page.error(), "nodes", tables_.nodes);
    std::vector<Node> out;
    out.reserve(page->items.size());
    for (const auto& item : page->items)
      out.push_back({get_s(item, "node"), get_n(item, "startedAt"), get_n(item, "expiresAt"),
                     get_s(item, "sweeper"), get_n(item, "sweepUntil")});
    return out;
  });
}

core::result<void> DynamoNodes::claim(const std::string& endpoint, const std::string& by, std::int64_t now,
                                      std::int64_t until) {
  return guarded("node_claim", [&]() -> core::result<void> {
    if (endpoint.empty() || by.empty()) return invalid();
    auto r = request(tables_.nodes);
    r["Key"] = item_to_json({{"node", s(endpoint)}});
    r["UpdateExpression"] = "SET #s = :by, #u = :until";
    r["ConditionExpression"] = "#e < :now AND (attribute_not_exists(#u) OR #u < :now OR #s = :by)";
    r["ExpressionAttributeNames"] = json::object{{"#s", "sweeper"}, {"#u", "sweepUntil"}, {"#e", "expiresAt"}};
    r["ExpressionAttributeValues"] = json::object{
        {":by", s(by).to_json()}, {":until", n(until).to_json()}, {":now", n(now).to_json()}};
    auto u = client_->update_item(std::move(r));
    if (u) return {};
    if (is_conditional(u.error()))  // beaten again, gone, or another sweeper's
      return core::make_error_code(core::errc::conflict);
    return store_error(u.error(), "node_claim", tables_.nodes);
  });
}

core::result<void> DynamoNodes::remove(const std::string& endpoint, std::int64_t now) {
  return guarded("node_remove", [&]() -> core::result<void> {
    if (endpoint.empty()) return invalid();
    auto r = request(tables_.nodes);
    r["Key"] = item_to_json({{"node", s(endpoint)}});
    r["ConditionExpression"] = "#e < :now";
    r["ExpressionAttributeNames"] = json::object{{"#e", "expiresAt"}};
    r["ExpressionAttributeValues"] = json::object{{":now", n(now).to_json()}};
    auto d = client_->delete_item(std::move(r));
    if (d || is_conditional(d.error())) return {};  // kept: it beat again (or is already gone)
    return store_error(d.error(), "node_remove", tables_.nodes);
  });
}

core::result<std::vector<Connection>> DynamoNodes::connections_of(const std::string& endpoint, std::int64_t before) {
  return guarded("connections_of", [&]() -> core::result<std::vector<Connection>> {
    if (endpoint.empty()) return invalid();
    auto r = request(tables_.connections);
    r["FilterExpression"] = "#g = :g AND #c < :b";
    r["ExpressionAttributeNames"] = json::object{{"#g", "gateway"}, {"#c", "connectedAt"}};
    r["ExpressionAttributeValues"] = json::object{{":g", s(endpoint).to_json()}, {":b", n(before).to_json()}};
    r["ConsistentRead"] = true;
    auto page = client_->scan_all(std::move(r));
    if (!page) return store_error(page.error(), "connections_of", tables_.connections);
    std::vector<Connection> out;
    out.reserve(page->items.size());
    for (const auto& item : page->items) out.push_back(connection_from(item));
    return out;
  });
}

}  // namespace store
