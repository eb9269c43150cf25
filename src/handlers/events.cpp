#include "handlers/events.hpp"

#include <boost/json.hpp>

namespace handlers::events {
namespace json = boost::json;

json::object message_object(const store::Message& m) {
  json::object o;
  o["type"] = m.to.empty() ? "message" : "dm";
  o["room"] = m.room;
  o["seq"] = m.seq;
  o["id"] = m.id;
  o["ts"] = m.ts;
  o["connectionId"] = m.sender;
  o["name"] = m.name;
  if (!m.user_id.empty()) o["userId"] = m.user_id;
  if (!m.to.empty()) o["to"] = m.to;
  o["text"] = m.text;
  if (!m.client_msg_id.empty()) o["clientMsgId"] = m.client_msg_id;
  return o;
}

std::string message(const store::Message& m) { return json::serialize(message_object(m)); }

std::string ack(const store::Appended& a) {
  json::object o;
  o["type"] = "ack";
  if (!a.message.client_msg_id.empty()) o["clientMsgId"] = a.message.client_msg_id;
  o["id"] = a.message.id;
  o["seq"] = a.message.seq;
  o["room"] = a.message.room;
  o["duplicate"] = a.duplicate;
  return json::serialize(o);
}

std::string history(const std::string& room, const std::vector<store::Message>& messages,
                    bool has_more, std::int64_t last_seq) {
  json::object o;
  o["type"] = "history";
  o["room"] = room;
  json::array list;
  list.reserve(messages.size());
  for (const auto& m : messages) list.emplace_back(message_object(m));
  o["messages"] = std::move(list);
  o["hasMore"] = has_more;
  o["lastSeq"] = last_seq;
  return json::serialize(o);
}

std::string welcome(const store::Connection& c, const std::vector<std::string>& rooms,
                    std::string_view guest_token) {
  json::object o;
  o["type"] = "welcome";
  o["connectionId"] = c.connection_id;
  o["name"] = c.name;
  if (!c.user_id.empty()) o["userId"] = c.user_id;  // the token's sub, or the guest id
  if (!guest_token.empty()) o["guestToken"] = guest_token;
  json::array r;
  for (const auto& room : rooms) r.emplace_back(room);
  o["rooms"] = std::move(r);
  return json::serialize(o);
}

std::string joined(const store::Member& m, std::int64_t last_seq) {
  json::object o;
  o["type"] = "joined";
  o["room"] = m.room;
  o["name"] = m.name;
  o["lastSeq"] = last_seq;
  return json::serialize(o);
}

std::string left(const std::string& room) {
  json::object o;
  o["type"] = "left";
  o["room"] = room;
  return json::serialize(o);
}

std::string name(const std::string& name, const std::map<std::string, std::string>& per_room) {
  json::object o;
  o["type"] = "name";
  o["name"] = name;
  json::object rooms;
  for (const auto& [room, shown] : per_room) rooms[room] = shown;
  o["rooms"] = std::move(rooms);
  return json::serialize(o);
}

std::string presence(const store::Member& m, std::string_view event, std::string_view old_name) {
  json::object o;
  o["type"] = "presence";
  o["room"] = m.room;
  o["event"] = event;
  o["name"] = m.name;
  o["connectionId"] = m.connection_id;
  if (!m.user_id.empty()) o["userId"] = m.user_id;
  if (!old_name.empty()) o["oldName"] = old_name;
  return json::serialize(o);
}

std::string members(const std::string& room, const std::vector<store::Member>& members,
                    std::size_t count) {
  json::object o;
  o["type"] = "members";
  o["room"] = room;
  json::array list;
  for (const auto& m : members) {
    json::object e;
    e["name"] = m.name;
    e["connectionId"] = m.connection_id;
    if (!m.user_id.empty()) e["userId"] = m.user_id;
    e["joinedAt"] = m.joined_at;
    list.emplace_back(std::move(e));
  }
  o["members"] = std::move(list);
  o["count"] = count;
  return json::serialize(o);
}

std::string pong() { return R"({"type":"pong"})"; }

std::string error(std::string_view code, std::string_view message, std::string_view action,
                  std::string_view client_msg_id) {
  json::object o;
  o["type"] = "error";
  o["code"] = code;
  o["message"] = message;
  if (!action.empty()) o["action"] = action;
  if (!client_msg_id.empty()) o["clientMsgId"] = client_msg_id;
  return json::serialize(o);
}

}  // namespace handlers::events
