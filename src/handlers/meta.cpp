#include "handlers/meta.hpp"

#include <algorithm>

#include "handlers/body.hpp"
#include "handlers/events.hpp"
#include "handlers/membership.hpp"
#include "handlers/request.hpp"

namespace handlers {

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
  auto conn = p.store.get_connection(r.connection_id());
  if (!conn) return r.fail_store(conn.error(), "find your connection");
  auto rooms = p.store.memberships(r.connection_id());
  if (!rooms) return r.fail_store(rooms.error(), "read your rooms");
  // Home room first: the client shows it first.
  std::stable_partition(rooms->begin(), rooms->end(),
                        [&](const store::Member& m) { return m.room == conn->home_room; });
  std::vector<std::string> names;
  for (const auto& m : *rooms) names.push_back(m.room);
  r.reply(events::welcome(*conn, names));

  for (const auto& m : *rooms) {
    std::int64_t from = m.room == conn->home_room ? conn->since : -1;
    if (since) {
      const auto given = int_member(*since, m.room, 0, INT64_MAX);
      if (given.present) from = given.value;
    }
    if (auto h = send_history(p, r.connection_id(), m.room, from); !h)
      return r.fail_store(h.error(), "read the room's history");
  }
  return {};
}

apigw::Response ping(const apigw::Event& e, Ports& p) {
  Request(e, p, "ping").reply(events::pong());
  return {};
}

}  // namespace handlers
