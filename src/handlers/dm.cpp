#include "handlers/dm.hpp"

#include <map>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "handlers/body.hpp"
#include "handlers/events.hpp"
#include "handlers/identity.hpp"
#include "handlers/names.hpp"
#include "handlers/request.hpp"
#include "handlers/send_message.hpp"

namespace handlers {
namespace {

// The connections `to` names: a connection id, or members of the sender's rooms with that name,
// or — when the sender is signed in — with that user id (every connection of that user there);
// each with the node holding it.
core::result<std::map<std::string, std::string>> recipients(Ports& p, const std::string& sender,
                                                            const std::string& to, bool by_user_id) {
  std::map<std::string, std::string> ids;
  auto rooms = p.store.memberships(sender);
  if (!rooms) return rooms.error();
  std::map<std::string, std::string> others;  // not matched by name or id, for the user id
  for (const auto& mine : *rooms) {
    auto members = p.store.room_members(mine.room);
    if (!members) return members.error();
    for (const auto& m : (*members)->members) {
      if (m.connection_id == sender) continue;
      if (same_name(m.name, to) || m.connection_id == to) ids.emplace(m.connection_id, m.gateway);
      else if (by_user_id) others.emplace(m.connection_id, m.gateway);
    }
  }
  // The user id is on the connection rows: read them only when nothing matched otherwise.
  if (ids.empty() && by_user_id) {
    for (const auto& [id, gateway] : others) {
      auto c = p.store.get_connection(id);
      if (c && c->user_id == to) ids.emplace(id, gateway);
      else if (!c && c.error() != core::errc::not_found) return c.error();
    }
  }
  if (ids.empty() && to != sender) {
    auto c = p.store.get_connection(to);
    if (c) ids.emplace(c->connection_id, c->gateway);
    else if (c.error() != core::errc::not_found) return c.error();  // the store failed
  }
  return ids;
}

}  // namespace

apigw::Response dm(const apigw::Event& e, Ports& p) {
  const Request r(e, p, "dm");
  std::string text, client_msg_id;
  if (!read_text(r, text, client_msg_id)) return {};
  auto to = r.string_field("to");
  if (!to || to->empty()) return r.fail("bad_request", "\"to\" must be a name or a connection id");

  auto targets = recipients(p, r.connection_id(), *to, identity_of(e).has_value());
  if (!targets) return r.fail_store(targets.error(), "find the recipient");
  if (targets->empty())
    return r.fail("unknown_recipient", "nobody called \"" + shorten(*to) + "\" shares a room with you");
  auto me = p.store.get_connection(r.connection_id());
  if (!me) return r.fail_store(me.error(), "find your connection");
  auto them = p.store.get_connection(targets->begin()->first);
  if (!them && them.error() != core::errc::not_found)
    return r.fail_store(them.error(), "find the recipient");
  if (!them) return r.fail("unknown_recipient", "\"" + shorten(*to) + "\" has left");

  store::Message m;
  m.room = dm_room(me->name, them->name);
  m.id = core::new_hex_id();
  m.sender = r.connection_id();
  m.name = me->name;
  m.to = them->name;
  m.text = std::move(text);
  m.ts = core::now_ms();
  m.client_msg_id = std::move(client_msg_id);
  auto stored = p.store.append_message(std::move(m));
  if (!stored) return r.fail_store(stored.error(), "store your message");
  r.reply(events::ack(*stored));
  if (stored->duplicate) return {};

  const auto frame = apigw::make_frame(events::message(stored->message));
  std::vector<apigw::Recipient> ids;
  for (const auto& [id, gateway] : *targets) ids.push_back({id, gateway});
  ids.push_back({r.connection_id(), me->gateway});
  (void)p.connections.post_recipients(ids, frame);
  return {};
}

}  // namespace handlers
