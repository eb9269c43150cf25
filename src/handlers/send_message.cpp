#include "handlers/send_message.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "handlers/body.hpp"
#include "handlers/events.hpp"

namespace handlers {

apigw::Response reply_error(const apigw::Event& e, Ports& p, std::string_view code,
                            std::string_view message) {
  const auto& id = e.request_context.connection_id;
  if (auto r = p.connections.post(id, apigw::make_frame(events::error(code, message))); !r) {
    core::log::warn("cannot post error to sender",
                    {{"connectionId", id}, {"error", r.error().message()}});
  }
  return {};
}

apigw::Response send_parsed(const apigw::Event& e, const boost::json::object& body, Ports& p) {
  const auto& sender = e.request_context.connection_id;
  auto text = string_member(body, "message");
  if (!text) return reply_error(e, p, "bad_request", "\"message\" must be a string");
  if (text->empty()) return reply_error(e, p, "bad_request", "\"message\" is empty");
  if (code_points(*text) > max_text_length)
    return reply_error(e, p, "too_long", "\"message\" is longer than 4096 characters");
  std::string client_msg_id;
  if (auto it = body.find("clientMsgId"); it != body.end()) {
    if (!it->value().is_string() || it->value().get_string().size() > max_client_msg_id)
      return reply_error(e, p, "bad_request", "\"clientMsgId\" must be a string of at most 64 bytes");
    client_msg_id = it->value().get_string();
  }

  auto conn = p.store.get_connection(sender);
  if (!conn) {
    core::log::error("sendmessage: sender unknown", {{"connectionId", sender},
                                                    {"error", conn.error().message()}});
    return reply_error(e, p, "internal", "your connection is not registered; reconnect");
  }

  store::Message m;
  m.room = conn->room;
  m.id = core::new_hex_id();
  m.sender = sender;
  m.name = conn->name;
  m.text = std::move(*text);
  m.ts = core::now_ms();
  // Stored before anyone sees it: a delivered message is always in history.
  auto stored = p.store.append_message(std::move(m));
  if (!stored) {
    core::log::error("sendmessage: cannot store message",
                     {{"connectionId", sender}, {"error", stored.error().message()}});
    return reply_error(e, p, "internal", "the message could not be stored; try again");
  }

  auto members = p.store.connections_in_room(stored->room);
  if (!members) {
    core::log::error("sendmessage: cannot list room",
                     {{"room", stored->room}, {"error", members.error().message()}});
    return reply_error(e, p, "internal", "the message was stored but not delivered");
  }
  const auto frame = apigw::make_frame(events::message(*stored, client_msg_id));
  const auto results = p.connections.post_many(*members, frame);
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i] || results[i].error() != core::errc::gone) continue;
    // The seed only logged a stale connection; removing it keeps later fan-outs small.
    if (auto r = p.store.delete_connection((*members)[i]); !r)
      core::log::warn("cannot delete stale connection", {{"connectionId", (*members)[i]}});
  }
  return {};
}

apigw::Response send_message(const apigw::Event& e, Ports& p) {
  auto body = parse_body(e.body.value_or(""));
  if (!body) return reply_error(e, p, "bad_request", "the frame is not a JSON object");
  return send_parsed(e, *body, p);
}

}  // namespace handlers
