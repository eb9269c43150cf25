#include "store/store.hpp"

#include <atomic>

#include <algorithm>
#include <cctype>

#include "core/log.hpp"

namespace store {

const Member* RoomMembers::find(std::string_view connection_id) const {
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (ids[i] == connection_id) return &members[i];
  return nullptr;
}

std::uint64_t next_list_version() {
  static std::atomic<std::uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

core::result<void> Store::put_connection_and_member(const Connection& c, const Member& m) {
  if (auto r = put_connection(c); !r) return r;
  if (auto r = put_member(m); !r) {
    (void)delete_connection(c.connection_id);
    return r;
  }
  return {};
}

core::result<void> Store::rename(const Rename& r) {
  auto undo = [&](std::size_t written, const boost::system::error_code& cause) {
    for (std::size_t i = written; i-- > 0;) {
      Member back = r.members[i];
      back.name = r.old_names[i];
      if (auto w = put_member(back); !w)
        core::log::error("a failed rename left a member row renamed",
                         {{"connectionId", back.connection_id}, {"room", back.room},
                          {"cause", cause.message()}, {"error", w.error().message()}});
    }
  };
  for (std::size_t i = 0; i < r.members.size(); ++i) {
    if (auto w = put_member(r.members[i]); !w) {
      undo(i, w.error());
      return w;
    }
  }
  if (auto w = put_connection(r.connection); !w) {
    undo(r.members.size(), w.error());
    return w;
  }
  return {};
}

core::result<ConnectionView> Store::connection_view(const std::string& connection_id,
                                                   int newest, const WantsNewest& wants_newest) {
  auto conn = get_connection(connection_id);
  if (!conn) return conn.error();
  auto rows = memberships(connection_id);
  if (!rows) return rows.error();
  ConnectionView view{std::move(*conn), {}};
  view.rooms.reserve(rows->size());
  for (auto& m : *rows) {
    auto last = last_seq(m.room);
    if (!last) return last.error();
    RoomView room{std::move(m), *last, {}};
    if (wants_newest && wants_newest(view.connection, room.member)) {
      auto page = messages_before(room.member.room, 0, newest);
      if (!page) return page.error();
      room.newest = std::move(*page);
    }
    view.rooms.push_back(std::move(room));
  }
  return view;
}

core::result<RoomMembersPtr> Store::room_members(const std::string& room) {
  auto rows = members(room);
  if (!rows) return rows.error();
  auto out = std::make_shared<RoomMembers>();
  out->ids.reserve(rows->size());
  for (const auto& m : *rows) out->ids.push_back(m.connection_id);
  out->members = std::move(*rows);
  return RoomMembersPtr(std::move(out));
}

core::result<std::optional<Member>> Store::find_member(const std::string& room, const std::string& connection_id) {
  auto rows = room_members(room);
  if (!rows) return rows.error();
  const Member* m = (*rows)->find(connection_id);
  return m ? std::optional<Member>(*m) : std::nullopt;
}

core::result<bool> Store::name_taken(const std::string& room, std::string_view name,
                                     std::string_view except_connection_id) {
  auto rows = members(room);
  if (!rows) return core::result<bool>(boost::system::in_place_error, rows.error());
  return std::any_of(rows->begin(), rows->end(), [&](const Member& m) {
    return m.connection_id != except_connection_id && same_name(m.name, name);
  });
}

}  // namespace store
