#include "handlers/membership.hpp"

#include "core/clock.hpp"
#include "handlers/events.hpp"
#include "handlers/fanout.hpp"
#include "handlers/names.hpp"

namespace handlers {
namespace {
constexpr int catch_up_page = 200;
}  // namespace

core::result<store::Member> enter_room(Ports& p, const store::Connection& c,
                                       const std::string& room) {
  auto members = p.store.members(room);
  if (!members) return members.error();
  std::vector<std::string> taken;
  for (const auto& m : *members)
    if (m.connection_id != c.connection_id) taken.push_back(m.name);

  store::Member me;
  me.room = room;
  me.connection_id = c.connection_id;
  me.name = unique_name(c.name, taken, c.connection_id);
  me.joined_at = core::now_ms();
  me.ttl = me.joined_at / 1000 + row_ttl_seconds;
  if (auto r = p.store.put_member(me); !r) return r.error();
  broadcast(p, *members, apigw::make_frame(events::presence(me, "join")), c.connection_id);
  return me;
}

core::result<void> exit_room(Ports& p, const store::Member& m) {
  // Read before the delete: a failure then leaves the member in the room, as the error says.
  auto members = p.store.members(m.room);
  if (!members) return members.error();
  if (auto r = p.store.delete_member(m.room, m.connection_id); !r) return r.error();
  broadcast(p, *members, apigw::make_frame(events::presence(m, "leave")), m.connection_id);
  return {};
}

core::result<std::optional<store::Member>> find_membership(Ports& p,
                                                           const std::string& connection_id,
                                                           const std::string& room) {
  auto rooms = p.store.memberships(connection_id);
  if (!rooms) return rooms.error();
  for (auto& m : *rooms)
    if (m.room == room) return std::optional<store::Member>(std::move(m));
  return std::optional<store::Member>();
}

core::result<void> send_history(Ports& p, const std::string& connection_id,
                                const std::string& room, std::int64_t since, int newest) {
  auto last = p.store.last_seq(room);
  if (!last) return last.error();
  auto post = [&](const std::vector<store::Message>& page, bool more) {
    (void)p.connections.post(connection_id,
                             apigw::make_frame(events::history(room, page, more, *last)));
  };
  if (since < 0) {
    auto page = p.store.messages_before(room, 0, newest);
    if (!page) return page.error();
    post(*page, !page->empty() && page->front().seq > 1);
    return {};
  }
  // Catch-up: everything after `since` up to what was last when we started, in order.
  std::int64_t after = std::min(since, *last);
  do {
    auto page = p.store.messages_after(room, after, catch_up_page);
    if (!page) return page.error();
    if (!page->empty()) after = page->back().seq;
    const bool more = page->size() == static_cast<std::size_t>(catch_up_page) && after < *last;
    post(*page, more);
    if (!more) break;
  } while (true);
  return {};
}

}  // namespace handlers
