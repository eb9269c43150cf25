#include "handlers/send_message.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "handlers/body.hpp"
#include "handlers/events.hpp"
#include "handlers/fanout.hpp"
#include "handlers/names.hpp"

namespace handlers {

bool read_text(const Request& r, std::string& text, std::string& client_msg_id) {
  const auto* body = r.body();
  if (!body) return r.fail("bad_request", "the frame is not a JSON object"), false;
  auto t = string_member(*body, "message");
  if (!t) return r.fail("bad_request", "\"message\" must be a string"), false;
  if (t->empty()) return r.fail("bad_request", "\"message\" is empty"), false;
  if (code_points(*t) > max_text_length)
    return r.fail("too_long", "\"message\" is longer than 4096 characters"), false;
  if (auto it = body->find("clientMsgId"); it != body->end()) {
    if (!it->value().is_string() || it->value().get_string().size() > max_client_msg_id)
      return r.fail("bad_request", "\"clientMsgId\" must be a string of at most 64 bytes"), false;
    client_msg_id = it->value().get_string();
  }
  text = std::move(*t);
  return true;
}

apigw::Response send_message(const Request& r) {
  std::string text, client_msg_id;
  if (!read_text(r, text, client_msg_id)) return {};
  auto& store = r.ports.store;

  std::string room;
  if (auto given = r.body()->find("room"); given != r.body()->end()) {
    if (!given->value().is_string()) return r.fail("bad_request", "\"room\" must be a string");
    room = given->value().get_string();
    // Nobody is in a room with a bad name: no store query with a key it would refuse.
    if (!valid_room(room)) return r.fail("not_member", "you are not in room \"" + shorten(room) + "\"");
  } else {
    auto conn = store.connections.get_connection(r.connection_id());
    if (!conn) return r.fail_store(conn.error(), "find your connection");
    room = conn->home_room;
  }
  auto members = store.members.room_members(room);
  if (!members) return r.fail_store(members.error(), "read the room");
  const store::Member* me = (*members)->find(r.connection_id());
  if (!me) return r.fail("not_member", "you are not in room \"" + shorten(room) + "\"");

  store::Message m;
  m.room = room;
  m.id = core::new_hex_id();
  m.sender = r.connection_id();
  m.name = me->name;
  m.user_id = me->user_id;
  m.text = std::move(text);
  m.ts = core::now_ms();
  m.client_msg_id = std::move(client_msg_id);
  // Stored before anyone sees it: a delivered or acked message is always in history.
  auto stored = store.messages.append_message(std::move(m));
  if (!stored) return r.fail_store(stored.error(), "store your message");
  // The recipients are read again after the append: a member who joined meanwhile read the
  // room's history before this message was stored (or it would be in that history), so its
  // member row was written before the append and this read finds it. The list read first may
  // miss it (docs/protocol.md, "Joining while others send"). Before the ack: whoever joins
  // once the sender has its ack finds the message in its history and gets no copy live. With
  // the member cache (`parley serve` on SQLite) the second read is a lookup in memory.
  if (!stored->duplicate)
    if (auto now = store.members.room_members(room)) members = std::move(now);
  r.reply(events::ack(*stored));
  if (stored->duplicate) return {};  // delivered when it was first stored
  broadcast(r.ports, **members, apigw::make_frame(events::message(stored->message)));
  return {};
}

apigw::Response send_message(const apigw::Event& e, Ports& p) {
  return send_message(Request(e, p, "sendmessage"));
}

}  // namespace handlers
