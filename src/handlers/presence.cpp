#include "handlers/presence.hpp"

#include <algorithm>
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
  auto members = p.store.members.room_members(*room);
  if (!members) return r.fail_store(members.error(), "read the room");
  if (!(*members)->find(r.connection_id()))
    return r.fail("not_member", "you are not in room \"" + shorten(*room) + "\"");
  // The earliest arrivals first, at most presence_room_limit of them.
  std::vector<store::Member> shown = (*members)->members;
  const auto first = [](const store::Member& a, const store::Member& b) {
    return a.joined_at != b.joined_at ? a.joined_at < b.joined_at : a.connection_id < b.connection_id;
  };
  const std::size_t count = shown.size();
  if (count > presence_room_limit) {
    std::partial_sort(shown.begin(), shown.begin() + presence_room_limit, shown.end(), first);
    shown.resize(presence_room_limit);
  } else {
    std::sort(shown.begin(), shown.end(), first);
  }
  r.reply(events::members(*room, shown, count));
  return {};
}

apigw::Response setname(const apigw::Event& e, Ports& p) {
  const Request r(e, p, "setname");
  // A signed-in user's name is the one in their token: nobody may take on another's.
  if (signed_in(e)) return r.fail("forbidden", "your name comes from your sign-in token");
  auto name = r.string_field("name");
  if (!name) return r.fail("bad_request", "\"name\" must be a string");
  if (!valid_name(*name))
    return r.fail("bad_name",
                  "a name is 1-32 letters, digits, spaces, '_', '-' or '.', not starting or "
                  "ending with a space");
  auto conn = p.store.connections.get_connection(r.connection_id());
  if (!conn) return r.fail_store(conn.error(), "find your connection");
  auto rooms = p.store.members.memberships(r.connection_id());
  if (!rooms) return r.fail_store(rooms.error(), "read your rooms");

  // Every read first, then one all-or-nothing write, then the announcements: a store failure
  // leaves the name unchanged everywhere and announced nowhere.
  store::Rename rename;
  rename.old_name = conn->name;
  rename.connection = std::move(*conn);
  rename.connection.name = *name;
  std::map<std::string, std::string> shown;
  for (auto& me : *rooms) {
    auto shown_name = name_in_room(p, me.room, *name, me.connection_id);
    if (!shown_name) return r.fail_store(shown_name.error(), "read the room");
    shown[me.room] = *shown_name;
    if (*shown_name == me.name) continue;
    rename.old_names.push_back(std::move(me.name));
    me.name = std::move(*shown_name);
    rename.members.push_back(std::move(me));
  }
  if (auto w = p.store.members.rename(rename); !w) return r.fail_store(w.error(), "save your name");
  for (std::size_t i = 0; i < rename.members.size(); ++i) {
    const auto& me = rename.members[i];
    announce(p, me.room, apigw::make_frame(events::presence(me, "rename", rename.old_names[i])),
             me.connection_id);
  }
  r.reply(events::name(*name, shown));
  return {};
}

}  // namespace handlers
