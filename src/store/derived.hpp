#pragma once
// What an adapter without a faster way derives from its own rows, and the decorators that
// change rows use over their own filtered reads: each implementation of a port names the one it
// uses, so no port method has a hidden default (store/store.hpp).
#include "store/store.hpp"

namespace store {

// members(room) as one shared list (a copy, version 0: made for one read).
core::result<RoomMembersPtr> room_members_of(Memberships& rows, const std::string& room);
// Whether a member of members(room) other than `except_connection_id` shows `name`.
core::result<bool> name_taken_in(Memberships& rows, const std::string& room, std::string_view name,
                                 std::string_view except_connection_id);
// The row of `connection_id` in room_members(room).
core::result<std::optional<Member>> find_member_in(Memberships& rows, const std::string& room,
                                                   const std::string& connection_id);

// put_connection_and_member without a transaction: the connection row, then the member row;
// when the member row fails, the connection row is deleted again.
core::result<void> put_connection_then_member(ConnectionTable& connections, Memberships& members,
                                              const Connection& c, const Member& m);
// rename without a transaction: the member rows, then the connection row; on a failure the
// replaced names are written back (Memberships::rename).
core::result<void> rename_row_by_row(ConnectionTable& connections, Memberships& members,
                                     const Rename& r);

// connection_view made of one call after the other on the ports it is given: the adapters
// without a one-snapshot read, and a decorator's filtered reads (cluster::NodeStore).
core::result<ConnectionView> view_call_by_call(ConnectionTable& connections, Memberships& members,
                                               MessageLog& messages, const std::string& connection_id,
                                               int newest, const WantsNewest& wants_newest);

class ViewOfTables final : public ConnectionViews {
 public:
  ViewOfTables(ConnectionTable& connections, Memberships& members, MessageLog& messages)
      : connections_(connections), members_(members), messages_(messages) {}
  core::result<ConnectionView> connection_view(const std::string& connection_id, int newest,
                                               const WantsNewest& wants_newest) override {
    return view_call_by_call(connections_, members_, messages_, connection_id, newest, wants_newest);
  }

 private:
  ConnectionTable& connections_;
  Memberships& members_;
  MessageLog& messages_;
};

}  // namespace store
