#include "handlers/history.hpp"

#include "handlers/body.hpp"
#include "handlers/events.hpp"
#include "handlers/identity.hpp"
#include "handlers/membership.hpp"
#include "handlers/names.hpp"
#include "handlers/request.hpp"

namespace handlers {

apigw::Response history(const apigw::Event& e, Ports& p) {
  const Request r(e, p, "history");
  if (!r.body()) return r.fail("bad_request", "the frame is not a JSON object");
  auto room = r.string_field("room");
  if (!room) return r.fail("bad_request", "\"room\" must be a string");
  const auto before = int_member(*r.body(), "before", 1, INT64_MAX);
  const auto after = int_member(*r.body(), "after", 0, INT64_MAX);
  const auto limit = int_member(*r.body(), "limit", 1, 100);
  if (!before.valid) return r.fail("bad_request", "\"before\" must be a whole number >= 1");
  if (!after.valid) return r.fail("bad_request", "\"after\" must be a whole number >= 0");
  if (!limit.valid) return r.fail("bad_request", "\"limit\" must be a whole number from 1 to 100");
  if (before.present && after.present)
    return r.fail("bad_request", "give \"before\" or \"after\", not both");

  if (is_dm_room(*room)) {
    auto conn = p.store.connections.get_connection(r.connection_id());
    if (!conn) return r.fail_store(conn.error(), "find your connection");
    // By identity: whoever takes a party's name later is not a party.
    if (!dm_party(*room, user_id_of(*conn)))
      return r.fail("not_member", "you are not a party of \"" + shorten(*room) + "\"");
  } else {
    auto member = find_membership(p, r.connection_id(), *room);
    if (!member) return r.fail_store(member.error(), "read your rooms");
    if (!*member) return r.fail("not_member", "you are not in room \"" + shorten(*room) + "\"");
  }

  const int n = limit.present ? static_cast<int>(limit.value) : 50;
  auto last = p.store.messages.last_seq(*room);
  if (!last) return r.fail_store(last.error(), "read the room");
  if (after.present) {
    auto page = p.store.messages.messages_after(*room, after.value, n);
    if (!page) return r.fail_store(page.error(), "read the history");
    const bool more = !page->empty() && page->back().seq < *last;
    r.reply(events::history(*room, *page, more, *last));
  } else {
    auto page = p.store.messages.messages_before(*room, before.present ? before.value : 0, n);
    if (!page) return r.fail_store(page.error(), "read the history");
    const bool more = !page->empty() && page->front().seq > 1;
    r.reply(events::history(*room, *page, more, *last));
  }
  return {};
}

}  // namespace handlers
