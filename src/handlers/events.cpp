#include "handlers/events.hpp"

#include <boost/json.hpp>

namespace handlers::events {

std::string message(const store::Message& m, std::string_view client_msg_id) {
  boost::json::object o;
  o["type"] = "message";
  o["room"] = m.room;
  o["seq"] = m.seq;
  o["id"] = m.id;
  o["ts"] = m.ts;
  o["connectionId"] = m.sender;
  o["name"] = m.name;
  o["text"] = m.text;
  if (!client_msg_id.empty()) o["clientMsgId"] = client_msg_id;
  return boost::json::serialize(o);
}

std::string error(std::string_view code, std::string_view message) {
  boost::json::object o;
  o["type"] = "error";
  o["code"] = code;
  o["message"] = message;
  return boost::json::serialize(o);
}

std::string welcome(const store::Connection& c) {
  boost::json::object o;
  o["type"] = "welcome";
  o["connectionId"] = c.connection_id;
  o["name"] = c.name;
  o["room"] = c.room;
  return boost::json::serialize(o);
}

std::string pong() { return R"({"type":"pong"})"; }

}  // namespace handlers::events
