#include "handlers/meta.hpp"

#include <algorithm>

#include "handlers/body.hpp"
#include "handlers/events.hpp"
#include "handlers/identity.hpp"
#include "handlers/membership.hpp"
#include "handlers/request.hpp"

namespace handlers {
namespace {
constexpr int newest_page = 50;  // as send_history's default

const store::Member& member_of(const store::Member& m) { return m; }
const store::Member& member_of(const store::RoomView& v) { return v.member; }

// Home room first (the client shows it first), the welcome, then each room's history as
// `history(room)` sends it. Room is a store::Member or a store::RoomView.
template <class Room, class History>
apigw::Response welcome_then_history(const Request& r, const store::Connection& conn,
                                     std::vector<Room>& rooms, const History& history) {
  std::stable_partition(rooms.begin(), rooms.end(), [&](const Room& x) {
    return member_of(x).room == conn.home_room;
  });
  std::vector<std::string> names;
  names.reserve(rooms.size());
  for (const auto& x : rooms) names.push_back(member_of(x).room);
  const auto who = identity_of(r.event);
  r.reply(events::welcome(conn, names, who ? std::string_view(who->guest_token) : std::string_view()));
  for (const auto& x : rooms) {
    if (auto h = history(x); !h) return r.fail_store(h.error(), "read the room's history");
  }
  return {};
}

template <class From>
apigw::Response hello_read_by_read(const Request& r, Ports& p, const From& from) {
  auto conn = p.store.connections.get_connection(r.connection_id());
  if (!conn) return r.fail_store(conn.error(), "find your connection");
  auto rooms = p.store.members.memberships(r.connection_id());
  if (!rooms) return r.fail_store(rooms.error(), "read your rooms");
  return welcome_then_history(r, *conn, *rooms, [&](const store::Member& m) {
    return send_history(p, r.connection_id(), m.room, from(*conn, m));
  });
}

}  // namespace

apigw::Response hello(const apigw::Event& e, Ports& p) {
  const Request r(e, p, "hello");
  if (!r.body()) return r.fail("bad_request", "the frame is not a JSON object");
  const boost::json::object* since = nullptr;
  if (auto it = r.body()->find("since"); it != r.body()->end()) {
    if (!it->value().is_object())
      return r.fail("bad_request", "\"since\" must be an object of room: seq");
    since = &it->value().get_object();
    // Checked before anything is answered: a bad since gets the error and nothing else.
    for (const auto& kv : *since)
      if (!int_member(*since, kv.key(), 0, INT64_MAX).valid)
        return r.fail("bad_request", "\"since\" values must be whole numbers >= 0");
  }
  // Where each room's history starts: the client's since, else the connect's for the home
  // room; -1 = the newest page, which connection_view reads along with the rest.
  auto from = [since](const store::Connection& c, const store::Member& m) {
    std::int64_t f = m.room == c.home_room ? c.since : -1;
    if (since) {
      const auto given = int_member(*since, m.room, 0, INT64_MAX);
      if (given.present) f = given.value;
    }
    return f;
  };
  auto view = p.store.views.connection_view(
      r.connection_id(), newest_page,
      [&](const store::Connection& c, const store::Member& m) { return from(c, m) < 0; });
  // A failed read says nothing of which read failed: read again one by one, so that the client
  // still gets its welcome when only a room's history cannot be read.
  if (!view) return hello_read_by_read(r, p, from);
  const store::Connection& conn = view->connection;
  return welcome_then_history(r, conn, view->rooms, [&](const store::RoomView& v) {
    return send_history(p, r.connection_id(), v, from(conn, v.member));
  });
}

apigw::Response ping(const apigw::Event& e, Ports& p) {
  Request(e, p, "ping").reply(events::pong());
  return {};
}

}  // namespace handlers
