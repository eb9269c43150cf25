#include "handlers/presence.hpp"

#include <map>

#include "handlers/body.hpp"
#include "handlers/events.hpp"
#include "handlers/fanout.hpp"
#include "handlers/identity.hpp"
#include "handlers/membership.hpp"
#include "handlers/names.hpp"
#include "handlers/request.hpp"

namespace handlers {

apigw::Response who(const apigw::Event& e, Ports& p) {
  const Request r(e, p, "who");
  auto room = r.string_field("room");
  if (!room) return r.fail("bad_request", "\"room\" must be a string");
  // Nobody is in a room with a bad name: no store query with a key it would refuse.
  if (!valid_room(*room)) return r.fail("not_member", "you are not in room \"" + shorten(*room) + "\"");
  auto members = p.store.members(*room);
  if (!members) return r.fail_store(members.error(), "read the room");
  bool in = false;
  for (const auto& m : *members) in = in || m.connection_id == r.connection_id();
  if (!in) return r.fail("not_member", "you are not in room \"" + shorten(*room) + "\"");
  r.reply(events::members(*room, *members));
  return {};
}

apigw::Response setname(const apigw::Event& e, Ports& p) {
  const Request r(e, p, "setname");
  // A signed-in user's name is the one in their token: nobody may take on another's.
  if (identity_of(e)) return r.fail("forbidden", "your name comes from your sign-in token");
  auto name = r.string_field("name");
  if (!name) return r.fail("bad_request", "\"name\" must be a string");
  if (!valid_name(*name))
    return r.fail("bad_name",
                  "a name is 1-32 letters, digits, spaces, '_', '-' or '.', not starting or "
                  "ending with a space");
  auto conn = p.store.get_connection(r.connection_id());
  if (!conn) return r.fail_store(conn.error(), "find your connection");
  conn->name = *name;
  if (auto w = p.store.put_connection(*conn); !w) return r.fail_store(w.error(), "save your name");

  auto rooms = p.store.memberships(r.connection_id());
  if (!rooms) return r.fail_store(rooms.error(), "read your rooms");
  std::map<std::string, std::string> shown;
  for (auto me : *rooms) {
    auto members = p.store.members(me.room);
    if (!members) return r.fail_store(members.error(), "read the room");
    std::vector<std::string> taken;
    for (const auto& m : *members)
      if (m.connection_id != me.connection_id) taken.push_back(m.name);
    const std::string old_name = me.name;
    me.name = unique_name(*name, taken, me.connection_id);
    shown[me.room] = me.name;
    if (me.name == old_name) continue;
    if (auto w = p.store.put_member(me); !w) return r.fail_store(w.error(), "save your name");
    broadcast(p, *members, apigw::make_frame(events::presence(me, "rename", old_name)),
              me.connection_id);
  }
  r.reply(events::name(*name, shown));
  return {};
}

}  // namespace handlers
