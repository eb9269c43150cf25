#include "store/dynamodb/dynamo_store.hpp"

#include <algorithm>

#include "core/log.hpp"
#include "store/dynamodb/dynamo_errors.hpp"
#include "store/dynamodb/dynamo_items.hpp"

namespace store {
namespace {

namespace json = boost::json;
using aws::dynamodb::item_to_json;
using namespace dynamo_items;

boost::system::error_code invalid() { return core::make_error_code(core::errc::invalid_argument); }

bool is_conditional(const aws::dynamodb::Error& e) {
  return e.is(aws::dynamodb::errc::conditional_check_failed);
}

// The connection row's list of its rooms (`rooms`, a string set) and the mark that this row
// keeps it (`tracksRooms`): rows of an older version lack both, and memberships() then reads
// the GSI as before.
constexpr const char* kRooms = "rooms";
constexpr const char* kTracksRooms = "tracksRooms";

// UpdateItem of the connection row: ADD or DELETE `room` in its list, if the row exists (a
// member row can outlive its connection row; a list must not create a row of its own).
json::object room_list_update(const DynamoTables& tables, const std::string& connection_id, const char* verb,
                              const std::string& room) {
  auto r = request(tables.connections);
  r["Key"] = item_to_json({{"connectionid", s(connection_id)}});
  r["UpdateExpression"] = std::string(verb) + " #r :r";
  r["ConditionExpression"] = "attribute_exists(#c)";
  r["ExpressionAttributeNames"] = json::object{{"#r", kRooms}, {"#c", "connectionid"}};
  r["ExpressionAttributeValues"] = json::object{{":r", AttributeValue::string_set({room}).to_json()}};
  return r;
}

}  // namespace

Dynamo::Dynamo(std::shared_ptr<aws::dynamodb::SyncClient> client, DynamoTables tables, DynamoOptions options)
    : client_(std::move(client)),
      tables_(std::move(tables)),
      options_(options),
      appender_(*client_, tables_, options_),
      history_(*client_, tables_, options_) {}

core::result<void> Dynamo::put_connection(const Connection& c) {
  return guarded("put_connection", [&]() -> core::result<void> {
    if (c.connection_id.empty()) return invalid();
    // The whole row as a PutItem would write it (SET what it has, REMOVE the optional fields it
    // lacks), except its room list, which a rewrite (setname) must keep.
    const Item item = connection_item(c);
    std::string set = "SET #t = :t", remove;
    json::object names{{"#t", kTracksRooms}}, values{{":t", AttributeValue::boolean(true).to_json()}};
    int i = 0;
    for (const char* field : {"name", "connectedAt", "gateway", "homeRoom", "since", "userId", "ttl"}) {
      const std::string name = "#f" + std::to_string(i), value = ":v" + std::to_string(i);
      ++i;
      names[name] = field;
      if (auto it = item.find(field); it != item.end()) {
        set += ", " + name + " = " + value;
        values[value] = it->second.to_json();
      } else {
        remove += (remove.empty() ? " REMOVE " : ", ") + name;
      }
    }
    auto r = request(tables_.connections);
    r["Key"] = item_to_json({{"connectionid", s(c.connection_id)}});
    r["UpdateExpression"] = set + remove;
    r["ExpressionAttributeNames"] = std::move(names);
    r["ExpressionAttributeValues"] = std::move(values);
    if (auto u = client_->update_item(std::move(r)); !u) return store_error(u.error(), "put_connection", tables_.connections);
    return {};
  });
}

core::result<Connection> Dynamo::get_connection(const std::string& connection_id) {
  return guarded("get_connection", [&]() -> core::result<Connection> {
    if (connection_id.empty()) return invalid();
    auto r = request(tables_.connections);
    r["Key"] = item_to_json({{"connectionid", s(connection_id)}});
    r["ConsistentRead"] = true;  // $connect's put must be visible to the next frame's handler
    auto g = client_->get_item(std::move(r));
    if (!g) return store_error(g.error(), "get_connection", tables_.connections);
    if (!*g) return core::make_error_code(core::errc::not_found);
    return connection_from(**g);
  });
}

core::result<void> Dynamo::delete_connection(const std::string& connection_id) {
  return guarded("delete_connection", [&]() -> core::result<void> {
    if (connection_id.empty()) return invalid();
    auto r = request(tables_.connections);
    r["Key"] = item_to_json({{"connectionid", s(connection_id)}});
    if (auto d = client_->delete_item(std::move(r)); !d)
      return store_error(d.error(), "delete_connection", tables_.connections);
    return {};
  });
}

core::result<void> Dynamo::put_member(const Member& m) {
  return guarded("put_member", [&]() -> core::result<void> {
    if (m.room.empty() || m.connection_id.empty()) return invalid();
    // The connection's room list first: it may name a room whose member row is missing (a
    // failure between the two writes; memberships() checks each row), never miss one.
    if (auto u = client_->update_item(room_list_update(tables_, m.connection_id, "ADD", m.room));
        !u && !is_conditional(u.error()))
      return store_error(u.error(), "put_member", tables_.connections);
    auto r = request(tables_.members);
    r["Item"] = item_to_json(member_item(m));
    if (auto p = client_->put_item(std::move(r)); !p) return store_error(p.error(), "put_member", tables_.members);
    return {};
  });
}

core::result<void> Dynamo::delete_member(const std::string& room, const std::string& connection_id) {
  return guarded("delete_member", [&]() -> core::result<void> {
    if (room.empty() || connection_id.empty()) return invalid();
    auto r = request(tables_.members);
    r["Key"] = item_to_json({{"room", s(room)}, {"connectionid", s(connection_id)}});
    if (auto d = client_->delete_item(std::move(r)); !d) return store_error(d.error(), "delete_member", tables_.members);
    // Then the list: left behind, the room is only one GetItem more for memberships().
    if (auto u = client_->update_item(room_list_update(tables_, connection_id, "DELETE", room));
        !u && !is_conditional(u.error()))
      core::log::warn("member row deleted but the room still on its connection's list",
                      {{"room", room}, {"connectionId", connection_id}, {"error", u.error().what()}});
    return {};
  });
}

core::result<std::vector<Member>> Dynamo::members(const std::string& room) {
  return guarded("members", [&]() -> core::result<std::vector<Member>> {
    if (room.empty()) return invalid();
    // The table's own key: the range key connectionid gives the order the port promises.
    auto r = request(tables_.members);
    r["KeyConditionExpression"] = "#r = :r";
    r["ExpressionAttributeNames"] = json::object{{"#r", "room"}};
    r["ExpressionAttributeValues"] = json::object{{":r", s(room).to_json()}};
    r["ConsistentRead"] = true;  // a join is seen by the next fan-out
    return query_members(std::move(r), "members");
  });
}

core::result<std::optional<Member>> Dynamo::find_member(const std::string& room, const std::string& connection_id) {
  return guarded("member", [&]() -> core::result<std::optional<Member>> {
    if (room.empty() || connection_id.empty()) return invalid();
    auto r = request(tables_.members);
    r["Key"] = item_to_json({{"room", s(room)}, {"connectionid", s(connection_id)}});
    r["ConsistentRead"] = true;  // a leave right after its join finds it (the GSI might not)
    auto g = client_->get_item(std::move(r));
    if (!g) return store_error(g.error(), "member", tables_.members);
    if (!*g) return std::optional<Member>();
    return std::optional<Member>(member_from(**g));
  });
}

core::result<std::vector<Member>> Dynamo::memberships(const std::string& connection_id) {
  return guarded("memberships", [&]() -> core::result<std::vector<Member>> {
    if (connection_id.empty()) return invalid();
    // The connection row's room list, then each room's member row: all read on table keys,
    // ConsistentRead, so a join or leave of a moment ago counts (hello, setname, dm by name,
    // $disconnect decide on it). The GSI (eventually consistent on DynamoDB) only for rows
    // that keep no list: written by an older version, or a member whose connection row is gone.
    auto get = request(tables_.connections);
    get["Key"] = item_to_json({{"connectionid", s(connection_id)}});
    get["ConsistentRead"] = true;
    get["ProjectionExpression"] = "#r, #t";
    get["ExpressionAttributeNames"] = json::object{{"#r", kRooms}, {"#t", kTracksRooms}};
    auto row = client_->get_item(std::move(get));
    if (!row) return store_error(row.error(), "memberships", tables_.connections);
    if (*row && (*row)->count(kTracksRooms)) {
      std::vector<std::string> rooms;
      if (auto it = (*row)->find(kRooms); it != (*row)->end() && it->second.type() == AttributeValue::Type::SS)
        rooms = it->second.as_set();
      std::sort(rooms.begin(), rooms.end());
      std::vector<Member> out;
      for (const auto& room : rooms) {
        auto m = find_member(room, connection_id);
        if (!m) return m.error();
        if (*m) out.push_back(std::move(**m));
      }
      return out;
    }
    auto r = request(tables_.members);
    r["IndexName"] = kConnectionIndex;
    r["KeyConditionExpression"] = "#c = :c";
    r["ExpressionAttributeNames"] = json::object{{"#c", "connectionid"}};
    r["ExpressionAttributeValues"] = json::object{{":c", s(connection_id).to_json()}};
    return query_members(std::move(r), "memberships");
  });
}

core::result<std::vector<Member>> Dynamo::query_members(json::object request, const char* op) {
  auto page = client_->query_all(std::move(request));  // every page: a room's whole fan-out list
  if (!page) return store_error(page.error(), op, tables_.members);
  std::vector<Member> out;
  out.reserve(page->items.size());
  for (const auto& item : page->items) out.push_back(member_from(item));
  return out;
}

core::result<Appended> Dynamo::append_message(Message m) {
  return guarded("append_message", [&]() -> core::result<Appended> {
    if (m.room.empty()) return invalid();
    return appender_.append(std::move(m));
  });
}

core::result<std::vector<Message>> Dynamo::messages_before(const std::string& room, std::int64_t before_seq,
                                                           int limit) {
  return guarded("messages_before", [&]() -> core::result<std::vector<Message>> {
    if (room.empty() || limit <= 0) return invalid();
    return history_.read(room, before_seq, true, std::min(limit, options_.max_page));
  });
}

core::result<std::vector<Message>> Dynamo::messages_after(const std::string& room, std::int64_t after_seq,
                                                          int limit) {
  return guarded("messages_after", [&]() -> core::result<std::vector<Message>> {
    if (room.empty() || limit <= 0) return invalid();
    return history_.read(room, after_seq, false, std::min(limit, options_.max_page));
  });
}

core::result<std::int64_t> Dynamo::last_seq(const std::string& room) {
  return guarded("last_seq", [&]() -> core::result<std::int64_t> {
    if (room.empty()) return invalid();
    auto r = request(tables_.rooms);
    r["Key"] = item_to_json({{"room", s(room)}});
    r["ConsistentRead"] = true;
    auto g = client_->get_item(std::move(r));
    if (!g) return store_error(g.error(), "last_seq", tables_.rooms);
    return *g ? get_n(**g, "seq") : std::int64_t{0};  // no rooms item: nothing was appended
  });
}

std::shared_ptr<aws::dynamodb::SyncClient> make_dynamo_client(aws::dynamodb::ClientConfig config,
                                                              const DynamoOptions& options) {
  aws::http::ClientOptions http;
  http.connect_timeout = options.connect_timeout;
  http.request_timeout = options.request_timeout;
  // Handler threads call at once: more than the default pool of 10 would only queue.
  http.max_connections_per_endpoint = 32;
  return std::make_shared<aws::dynamodb::SyncClient>(std::move(config), std::move(http));
}

std::unique_ptr<Dynamo> open_dynamodb(aws::dynamodb::ClientConfig config, DynamoTables tables, DynamoOptions options) {
  auto client = make_dynamo_client(std::move(config), options);
  return std::make_unique<Dynamo>(std::move(client), std::move(tables), options);
}

}  // namespace store
