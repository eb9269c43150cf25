#include "handlers/connect.hpp"

#include <charconv>

#include "core/log.hpp"
#include "handlers/events.hpp"
#include "handlers/identity.hpp"
#include "handlers/membership.hpp"
#include "handlers/names.hpp"

namespace handlers {
namespace {

apigw::Response refuse(int status, std::string message) {
  apigw::Response r;
  r.status_code = status;
  r.body = std::move(message);
  return r;
}

std::string query(const apigw::Event& e, const std::string& key) {
  if (!e.query_string_parameters) return {};
  auto it = e.query_string_parameters->find(key);
  return it == e.query_string_parameters->end() ? std::string{} : it->second;
}

}  // namespace

apigw::Response connect(const apigw::Event& e, Ports& p) {
  const auto& ctx = e.request_context;
  store::Connection c;
  c.connection_id = ctx.connection_id;
  const auto who = identity_of(e);
  if (who && !who->guest) {
    // Signed in: the name comes from the token, whatever ?name= says.
    c.name = name_from_claim(who->name);
    if (c.name.empty()) c.name = name_from_claim("user-" + who->user_id.substr(0, 8));
  } else {
    c.name = query(e, "name");  // a guest chooses its display name; its identity is the token's
  }
  // Everyone has a user id: DMs are keyed and authorized by it, never by the name.
  c.user_id = who ? who->user_id : user_id_of(c);
  if (c.name.empty()) c.name = guest_name(ctx.connection_id);
  if (!valid_name(c.name)) return refuse(400, "invalid name");
  c.home_room = query(e, "room");
  if (c.home_room.empty()) c.home_room = std::string(default_room);
  if (!valid_room(c.home_room)) return refuse(400, "invalid room");
  if (const std::string since = query(e, "since"); !since.empty()) {
    auto [end, ec] = std::from_chars(since.data(), since.data() + since.size(), c.since);
    if (ec != std::errc() || end != since.data() + since.size() || c.since < 0)
      return refuse(400, "invalid since");
  }
  c.connected_at = ctx.connected_at;
  c.ttl = ctx.connected_at / 1000 + row_ttl_seconds;

  // Both rows in one store call: one commit per connect, and a refused connect leaves neither.
  auto me = member_row(p, c, c.home_room);
  if (!me) {
    core::log::error("connect: cannot join the home room",
                     {{"connectionId", c.connection_id}, {"error", me.error().message()}});
    return refuse(500, "store unavailable");
  }
  if (auto r = p.store.members.put_connection_and_member(c, *me); !r) {
    core::log::error("connect: cannot store connection",
                     {{"connectionId", c.connection_id}, {"error", r.error().message()}});
    return refuse(500, "store unavailable");
  }
  announce(p, c.home_room, apigw::make_frame(events::presence(*me, "join")), c.connection_id);
  return {};
}

}  // namespace handlers
