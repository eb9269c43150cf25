#include "store/derived.hpp"

#include <algorithm>

#include "core/log.hpp"

namespace store {

core::result<void> put_connection_then_member(ConnectionTable& connections, Memberships& members,
                                              const Connection& c, const Member& m) {
  if (auto r = connections.put_connection(c); !r) return r;
  if (auto r = members.put_member(m); !r) {
    (void)connections.delete_connection(c.connection_id);
    return r;
  }
  return {};
}

core::result<void> rename_row_by_row(ConnectionTable& connections, Memberships& members,
                                     const Rename& r) {
  auto undo = [&](std::size_t written, const boost::system::error_code& cause) {
    for (std::size_t i = written; i-- > 0;) {
      Member back = r.members[i];
      back.name = r.old_names[i];
      if (auto w = members.put_member(back); !w)
        core::log::error("a failed rename left a member row renamed",
                         {{"connectionId", back.connection_id}, {"room", back.room},
                          {"cause", cause.message()}, {"error", w.error().message()}});
    }
  };
  for (std::size_t i = 0; i < r.members.size(); ++i) {
    if (auto w = members.put_member(r.members[i]); !w) {
      undo(i, w.error());
      return w;
    }
  }
  if (auto w = connections.put_connection(r.connection); !w) {
    undo(r.members.size(), w.error());
    return w;
  }
  return {};
}

core::result<ConnectionView> view_call_by_call(ConnectionTable& connections, Memberships& members,
                                               MessageLog& messages, const std::string& connection_id,
                                               int newest, const WantsNewest& wants_newest) {
  auto conn = connections.get_connection(connection_id);
  if (!conn) return conn.error();
  auto rows = members.memberships(connection_id);
  if (!rows) return rows.error();
  ConnectionView view{std::move(*conn), {}};
  view.rooms.reserve(rows->size());
  for (auto& m : *rows) {
    auto last = messages.last_seq(m.room);
    if (!last) return last.error();
    RoomView room{std::move(m), *last, {}};
    if (wants_newest && wants_newest(view.connection, room.member)) {
      auto page = messages.messages_before(room.member.room, 0, newest);
      if (!page) return page.error();
      room.newest = std::move(*page);
    }
    view.rooms.push_back(std::move(room));
  }
  return view;
}

core::result<RoomMembersPtr> room_members_of(Memberships& members, const std::string& room) {
  auto rows = members.members(room);
  if (!rows) return rows.error();
  auto out = std::make_shared<RoomMembers>();
  out->ids.reserve(rows->size());
  for (const auto& m : *rows) out->ids.push_back(m.connection_id);
  out->members = std::move(*rows);
  return RoomMembersPtr(std::move(out));
}

core::result<std::optional<Member>> find_member_in(Memberships& members, const std::string& room,
                                                   const std::string& connection_id) {
  auto rows = members.room_members(room);
  if (!rows) return rows.error();
  const Member* m = (*rows)->find(connection_id);
  return m ? std::optional<Member>(*m) : std::nullopt;
}

core::result<bool> name_taken_in(Memberships& members, const std::string& room, std::string_view name,
                                 std::string_view except_connection_id) {
  auto rows = members.members(room);
  if (!rows) return core::result<bool>(boost::system::in_place_error, rows.error());
  return std::any_of(rows->begin(), rows->end(), [&](const Member& m) {
    return m.connection_id != except_connection_id && same_name(m.name, name);
  });
}

}  // namespace store
