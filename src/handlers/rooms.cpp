#include "handlers/rooms.hpp"

#include "handlers/body.hpp"
#include "handlers/events.hpp"
#include "handlers/membership.hpp"
#include "handlers/names.hpp"
#include "handlers/request.hpp"

namespace handlers {

apigw::Response join(const apigw::Event& e, Ports& p) { return join(e, p, Limits{}); }

apigw::Response join(const apigw::Event& e, Ports& p, const Limits& limits) {
  const Request r(e, p, "join");
  if (!r.body()) return r.fail("bad_request", "the frame is not a JSON object");
  auto room = r.string_field("room");
  if (!room) return r.fail("bad_request", "\"room\" must be a string");
  if (!valid_room(*room))
    return r.fail("bad_room", "a room name is 1-64 letters, digits, '_', '-' or '.'");
  const auto since = int_member(*r.body(), "since", 0, INT64_MAX);
  if (!since.valid) return r.fail("bad_request", "\"since\" must be a whole number >= 0");

  std::size_t rooms_in = 0;
  auto existing = find_membership(p, r.connection_id(), *room, &rooms_in);
  if (!existing) return r.fail_store(existing.error(), "read your rooms");
  if (!*existing && limits.max_rooms && rooms_in >= limits.max_rooms)
    return r.fail("too_many_rooms", "you are in " + std::to_string(rooms_in) +
                                        " rooms, the most one connection may be in; leave one first");
  // Every read before the join: a failure then leaves the connection out of the room, as the
  // internal error says.
  auto last = p.store.messages.last_seq(*room);
  if (!last) return r.fail_store(last.error(), "read the room");
  store::Member me;
  if (*existing) {
    me = **existing;
  } else {
    auto conn = p.store.connections.get_connection(r.connection_id());
    if (!conn) return r.fail_store(conn.error(), "find your connection");
    auto entered = enter_room(p, *conn, *room);
    if (!entered) return r.fail_store(entered.error(), "join the room");
    me = std::move(*entered);
  }
  r.reply(events::joined(me, *last));
  if (auto h = send_history(p, r.connection_id(), *room, since.present ? since.value : -1); !h)
    return r.fail_store(h.error(), "read the room's history");
  return {};
}

apigw::Response leave(const apigw::Event& e, Ports& p) {
  const Request r(e, p, "leave");
  auto room = r.string_field("room");
  if (!room) return r.fail("bad_request", "\"room\" must be a string");
  auto existing = find_membership(p, r.connection_id(), *room);
  if (!existing) return r.fail_store(existing.error(), "read your rooms");
  if (!*existing) return r.fail("not_member", "you are not in room \"" + shorten(*room) + "\"");
  if (auto x = exit_room(p, **existing); !x) return r.fail_store(x.error(), "leave the room");
  r.reply(events::left(*room));
  return {};
}

}  // namespace handlers
