#include "store/wrapping_store.hpp"

namespace store {

const char* const op_names[] = {"put_connection", "get_connection", "delete_connection",
                                "put_member",     "delete_member",  "members",
                                "memberships",    "append_message", "messages_before",
                                "messages_after", "last_seq",     "put_connection_and_member",
                                "connection_view", "rename",       "member",
                                "room_members",   "name_taken"};

template <class F>
auto Wrapping::call(Op op, F&& f) -> decltype(f()) {
  const auto start = std::chrono::steady_clock::now();
  if (auto refused = before(op)) {
    after(op, false, std::chrono::steady_clock::now() - start);
    return decltype(f())(boost::system::in_place_error, refused);
  }
  auto r = f();
  after(op, static_cast<bool>(r), std::chrono::steady_clock::now() - start);
  return r;
}

core::result<void> Wrapping::put_connection(const Connection& c) {
  return call(Op::put_connection, [&] { return inner_.connections.put_connection(c); });
}
core::result<void> Wrapping::put_connection_and_member(const Connection& c, const Member& m) {
  return call(Op::put_connection_and_member, [&] { return inner_.members.put_connection_and_member(c, m); });
}
core::result<void> Wrapping::rename(const Rename& r) {
  return call(Op::rename, [&] { return inner_.members.rename(r); });
}
core::result<Connection> Wrapping::get_connection(const std::string& id) {
  return call(Op::get_connection, [&] { return inner_.connections.get_connection(id); });
}
core::result<void> Wrapping::delete_connection(const std::string& id) {
  return call(Op::delete_connection, [&] { return inner_.connections.delete_connection(id); });
}
core::result<void> Wrapping::put_member(const Member& m) {
  return call(Op::put_member, [&] { return inner_.members.put_member(m); });
}
core::result<void> Wrapping::delete_member(const std::string& room, const std::string& id) {
  return call(Op::delete_member, [&] { return inner_.members.delete_member(room, id); });
}
core::result<std::vector<Member>> Wrapping::members(const std::string& room) {
  return call(Op::members, [&] { return inner_.members.members(room); });
}
core::result<RoomMembersPtr> Wrapping::room_members(const std::string& room) {
  return call(Op::room_members, [&] { return inner_.members.room_members(room); });
}
core::result<bool> Wrapping::name_taken(const std::string& room, std::string_view name,
                                        std::string_view except_connection_id) {
  return call(Op::name_taken, [&] { return inner_.members.name_taken(room, name, except_connection_id); });
}
core::result<std::optional<Member>> Wrapping::find_member(const std::string& room,
                                                          const std::string& id) {
  return call(Op::member, [&] { return inner_.members.find_member(room, id); });
}
core::result<std::vector<Member>> Wrapping::memberships(const std::string& id) {
  return call(Op::memberships, [&] { return inner_.members.memberships(id); });
}
core::result<Appended> Wrapping::append_message(Message m) {
  return call(Op::append_message, [&] { return inner_.messages.append_message(std::move(m)); });
}
core::result<std::vector<Message>> Wrapping::messages_before(const std::string& room,
                                                             std::int64_t before_seq, int limit) {
  return call(Op::messages_before, [&] { return inner_.messages.messages_before(room, before_seq, limit); });
}
core::result<std::vector<Message>> Wrapping::messages_after(const std::string& room,
                                                            std::int64_t after_seq, int limit) {
  return call(Op::messages_after, [&] { return inner_.messages.messages_after(room, after_seq, limit); });
}
core::result<ConnectionView> Wrapping::connection_view(const std::string& id, int newest,
                                                      const WantsNewest& wants_newest) {
  return call(Op::connection_view, [&] { return inner_.views.connection_view(id, newest, wants_newest); });
}
core::result<std::int64_t> Wrapping::last_seq(const std::string& room) {
  return call(Op::last_seq, [&] { return inner_.messages.last_seq(room); });
}

}  // namespace store
