#include "handlers/membership.hpp"

#include <optional>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "handlers/events.hpp"
#include "handlers/fanout.hpp"
#include "handlers/identity.hpp"
#include "handlers/names.hpp"

namespace handlers {
namespace {
constexpr int catch_up_page = 200;
}  // namespace

core::result<std::string> name_in_room(Ports& p, const std::string& room, std::string_view wanted,
                                       const std::string& connection_id) {
  std::optional<boost::system::error_code> failed;
  auto shown = unique_name(
      wanted,
      [&](std::string_view candidate) {
        if (failed) return false;
        auto taken = p.store.members.name_taken(room, candidate, connection_id);
        if (!taken) failed = taken.error();
        return taken && *taken;
      },
      connection_id);
  if (failed) return *failed;
  return shown;
}

void announce(Ports& p, const std::string& room, const apigw::SharedFrame& frame,
              const std::string& except) {
  auto members = p.store.members.room_members(room);
  if (!members) {
    core::log::warn("cannot read a room to announce presence",
                    {{"room", room}, {"error", members.error().message()}});
    return;
  }
  if ((*members)->members.size() > presence_room_limit) return;
  // Nobody waits on presence: a burst of arrivals reaches each member in a few writes, not one
  // per arrival.
  broadcast(p, **members, frame, except, {.linger = true});
}

core::result<store::Member> member_row(Ports& p, const store::Connection& c,
                                       const std::string& room) {
  store::Member me;
  me.room = room;
  me.connection_id = c.connection_id;
  me.user_id = user_id_of(c);
  auto name = name_in_room(p, room, c.name, c.connection_id);
  if (!name) return name.error();
  me.name = std::move(*name);
  me.joined_at = core::now_ms();
  me.ttl = me.joined_at / 1000 + row_ttl_seconds;
  return me;
}

core::result<store::Member> enter_room(Ports& p, const store::Connection& c,
                                       const std::string& room) {
  auto me = member_row(p, c, room);
  if (!me) return me.error();
  if (auto r = p.store.members.put_member(*me); !r) return r.error();
  announce(p, room, apigw::make_frame(events::presence(*me, "join")), c.connection_id);
  return me;
}

core::result<void> exit_room(Ports& p, const store::Member& m) {
  if (auto r = p.store.members.delete_member(m.room, m.connection_id); !r) return r.error();
  announce(p, m.room, apigw::make_frame(events::presence(m, "leave")), m.connection_id);
  return {};
}

core::result<std::optional<store::Member>> find_membership(Ports& p,
                                                           const std::string& connection_id,
                                                           const std::string& room,
                                                           std::size_t* rooms_in) {
  if (rooms_in) {
    // The rooms cap needs the connection's rooms anyway; memberships() reads them consistently
    // (on DynamoDB: the connection row's list and each member row, never the GSI alone).
    auto rooms = p.store.members.memberships(connection_id);
    if (!rooms) return rooms.error();
    *rooms_in = rooms->size();
    for (auto& m : *rooms)
      if (m.room == room) return std::optional<store::Member>(std::move(m));
    return std::optional<store::Member>();
  }
  // The row's own key, not the connection's list of rooms: on DynamoDB that list is a GSI,
  // eventually consistent, and a leave right after its join could answer not_member.
  auto m = p.store.members.find_member(room, connection_id);
  // A key no row can have (an empty or oversized room name): not a member, as before.
  if (!m && m.error() == core::errc::invalid_argument) return std::optional<store::Member>();
  return m;
}

namespace {

// Whether the connection took the page.
bool post_history(Ports& p, const std::string& connection_id, const std::string& room,
                  const std::vector<store::Message>& page, bool more, std::int64_t last) {
  return p.connections
      .post_one(connection_id, apigw::make_frame(events::history(room, page, more, last)))
      .has_value();
}

void post_newest(Ports& p, const std::string& connection_id, const std::string& room,
                 const std::vector<store::Message>& page, std::int64_t last) {
  post_history(p, connection_id, room, page, !page.empty() && page.front().seq > 1, last);
}

// Catch-up: everything after `since` up to what was `last` when we started, in order.
core::result<void> send_catch_up(Ports& p, const std::string& connection_id,
                                 const std::string& room, std::int64_t since, std::int64_t last) {
  std::int64_t after = std::min(since, last);
  do {
    auto page = p.store.messages.messages_after(room, after, catch_up_page);
    if (!page) return page.error();
    if (!page->empty()) after = page->back().seq;
    const bool more = page->size() == static_cast<std::size_t>(catch_up_page) && after < last;
    // A page the client did not take (queue full, or gone): reading more would only make
    // pages nobody receives. It resumes from the last seq it showed.
    if (!post_history(p, connection_id, room, *page, more, last)) {
      core::log::info("catch-up stopped: the connection takes no more",
                      {{"connectionId", connection_id}, {"room", room}, {"after", after}});
      break;
    }
    if (!more) break;
  } while (true);
  return {};
}

}  // namespace

core::result<void> send_history(Ports& p, const std::string& connection_id,
                                const std::string& room, std::int64_t since, int newest) {
  auto last = p.store.messages.last_seq(room);
  if (!last) return last.error();
  if (since < 0) {
    auto page = p.store.messages.messages_before(room, 0, newest);
    if (!page) return page.error();
    post_newest(p, connection_id, room, *page, *last);
    return {};
  }
  return send_catch_up(p, connection_id, room, since, *last);
}

core::result<void> send_history(Ports& p, const std::string& connection_id,
                                const store::RoomView& room, std::int64_t since) {
  if (since < 0) {
    post_newest(p, connection_id, room.member.room, room.newest, room.last_seq);
    return {};
  }
  return send_catch_up(p, connection_id, room.member.room, since, room.last_seq);
}

}  // namespace handlers
