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

struct Recipient {
  std::string user_id;                          // who: the DM is keyed by this
  std::map<std::string, std::string> targets;  // that person's connections -> node holding it
  bool ambiguous = false;                       // `to` named different people
};

// Who `to` names, from the sender's rooms: a member with that name or connection id, or with
// that user id; then every connection of that person in those rooms. A connection id of a
// connection in no shared room is looked up last. Names resolve to the identity of the member
// holding the name now: the DM goes to that person's conversation, never to whoever held the
// name before.
core::result<Recipient> recipient(Ports& p, const std::string& sender, const std::string& to) {
  Recipient out;
  auto rooms = p.store.members.memberships(sender);
  if (!rooms) return rooms.error();
  std::vector<store::Member> seen;
  for (const auto& mine : *rooms) {
    auto members = p.store.members.room_members(mine.room);
    if (!members) return members.error();
    for (const auto& m : (*members)->members) {
      if (m.connection_id == sender) continue;
      seen.push_back(m);
      if (m.user_id.empty()) continue;
      if (!same_name(m.name, to) && m.connection_id != to && m.user_id != to) continue;
      if (!out.user_id.empty() && out.user_id != m.user_id) out.ambiguous = true;
      out.user_id = m.user_id;
    }
  }
  if (out.ambiguous) return out;
  if (!out.user_id.empty()) {
    for (const auto& m : seen)
      if (m.user_id == out.user_id) out.targets.emplace(m.connection_id, m.gateway);
    return out;
  }
  if (to != sender) {
    auto c = p.store.connections.get_connection(to);
    if (c) {
      out.user_id = user_id_of(*c);
      out.targets.emplace(c->connection_id, c->gateway);
    } else if (c.error() != core::errc::not_found) {
      return c.error();  // the store failed
    }
  }
  return out;
}

}  // namespace

apigw::Response dm(const apigw::Event& e, Ports& p) {
  const Request r(e, p, "dm");
  std::string text, client_msg_id;
  if (!read_text(r, text, client_msg_id)) return {};
  auto to = r.string_field("to");
  if (!to || to->empty())
    return r.fail("bad_request", "\"to\" must be a name, a user id or a connection id");

  auto who = recipient(p, r.connection_id(), *to);
  if (!who) return r.fail_store(who.error(), "find the recipient");
  if (who->ambiguous)
    return r.fail("ambiguous_recipient", "\"" + shorten(*to) +
                                             "\" names different people in your rooms: use their userId");
  if (who->targets.empty())
    return r.fail("unknown_recipient", "nobody called \"" + shorten(*to) + "\" shares a room with you");
  auto me = p.store.connections.get_connection(r.connection_id());
  if (!me) return r.fail_store(me.error(), "find your connection");
  auto them = p.store.connections.get_connection(who->targets.begin()->first);
  if (!them && them.error() != core::errc::not_found)
    return r.fail_store(them.error(), "find the recipient");
  if (!them) return r.fail("unknown_recipient", "\"" + shorten(*to) + "\" has left");

  store::Message m;
  // The pair's identities, not their names: renaming to "ann" opens nothing of ann's.
  m.room = dm_room(user_id_of(*me), who->user_id);
  m.id = core::new_hex_id();
  m.sender = r.connection_id();
  m.name = me->name;
  m.user_id = user_id_of(*me);
  m.to = them->name;
  m.text = std::move(text);
  m.ts = core::now_ms();
  m.client_msg_id = std::move(client_msg_id);
  auto stored = p.store.messages.append_message(std::move(m));
  if (!stored) return r.fail_store(stored.error(), "store your message");
  r.reply(events::ack(*stored));
  if (stored->duplicate) return {};

  const auto frame = apigw::make_frame(events::message(stored->message));
  std::vector<std::string> ids, gateways;
  for (const auto& [id, gateway] : who->targets) {
    ids.push_back(id);
    gateways.push_back(gateway);
  }
  ids.push_back(r.connection_id());
  gateways.push_back(me->gateway);
  (void)p.connections.post({ids, gateways}, frame);
  return {};
}

}  // namespace handlers
