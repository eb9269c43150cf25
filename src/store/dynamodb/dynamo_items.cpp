#include "store/dynamodb/dynamo_items.hpp"

namespace store::dynamo_items {

boost::json::object request(const std::string& table) {
  boost::json::object r;
  r["TableName"] = table;
  return r;
}

namespace {

void put_s(Item& item, const char* name, const std::string& v) {
  if (!v.empty()) item[name] = AttributeValue::string(v);
}

void put_ttl(Item& item, std::int64_t ttl) {
  if (ttl != 0) item["ttl"] = AttributeValue::number(ttl);  // epoch seconds (DynamoDB TTL)
}

}  // namespace

AttributeValue s(std::string v) { return AttributeValue::string(std::move(v)); }
AttributeValue n(std::int64_t v) { return AttributeValue::number(v); }

std::string get_s(const Item& item, const std::string& name) {
  auto it = item.find(name);
  return it != item.end() && it->second.is(AttributeValue::Type::S) ? it->second.as_string() : "";
}

std::int64_t get_n(const Item& item, const std::string& name, std::int64_t fallback) {
  auto it = item.find(name);
  if (it == item.end() || !it->second.is(AttributeValue::Type::N)) return fallback;
  return it->second.to_int64().value_or(fallback);
}

Item connection_item(const Connection& c) {
  Item item{{"connectionid", s(c.connection_id)},
            {"connectedAt", n(c.connected_at)},
            {"since", n(c.since)}};
  put_s(item, "name", c.name);
  put_s(item, "gateway", c.gateway);
  put_s(item, "homeRoom", c.home_room);
  put_s(item, "userId", c.user_id);
  put_ttl(item, c.ttl);
  return item;
}

Connection connection_from(const Item& item) {
  return {get_s(item, "connectionid"), get_s(item, "name"),     get_n(item, "connectedAt"),
          get_s(item, "gateway"),      get_n(item, "ttl"),      get_s(item, "homeRoom"),
          get_n(item, "since", -1),    get_s(item, "userId")};
}

Item member_item(const Member& m) {
  Item item{{"room", s(m.room)}, {"connectionid", s(m.connection_id)}, {"joinedAt", n(m.joined_at)}};
  put_s(item, "name", m.name);
  put_s(item, "gateway", m.gateway);
  put_s(item, "userId", m.user_id);
  put_ttl(item, m.ttl);
  return item;
}

Member member_from(const Item& item) {
  return {get_s(item, "room"), get_s(item, "connectionid"), get_s(item, "name"),
          get_n(item, "joinedAt"), get_n(item, "ttl"), get_s(item, "gateway"),
          get_s(item, "userId")};
}

Item message_item(const Message& m) {
  Item item{{"room", s(m.room)}, {"seq", n(m.seq)}, {"ts", n(m.ts)}};
  put_s(item, "id", m.id);
  put_s(item, "sender", m.sender);
  put_s(item, "name", m.name);
  put_s(item, "text", m.text);
  put_s(item, "clientMsgId", m.client_msg_id);
  put_s(item, "to", m.to);
  put_s(item, "userId", m.user_id);
  put_ttl(item, m.ttl);
  return item;
}

Message message_from(const Item& item) {
  return {get_s(item, "room"), get_n(item, "seq"),  get_s(item, "id"),
          get_s(item, "sender"), get_s(item, "name"), get_s(item, "text"),
          get_n(item, "ts"),   get_n(item, "ttl"),  get_s(item, "clientMsgId"),
          get_s(item, "to"),   get_s(item, "userId")};
}

Item seal_item(const std::string& room, std::int64_t seq, std::int64_t sealed_at, std::int64_t ttl) {
  Item item{{"room", s(room)}, {"seq", n(seq)}, {"sealedAt", n(sealed_at)}};
  put_ttl(item, ttl);
  return item;
}

bool is_seal(const Item& item) { return item.contains("sealedAt"); }

}  // namespace store::dynamo_items
