#include "store/timed_store.hpp"

#include <chrono>

namespace store {
const char* const store_op_names[] = {"put_connection", "get_connection", "delete_connection",
                                     "put_member",     "delete_member",  "members",
                                     "memberships",    "append_message", "messages_before",
                                     "messages_after", "last_seq",     "put_connection_and_member",
                                     "connection_view"};

Timed::Timed(Store& inner) : inner_(inner) {
  auto& reg = core::metrics::registry();
  for (int i = 0; i < op_count; ++i) {
    const std::string labels = std::string("op=\"") + store_op_names[i] + "\"";
    latency_[i] = &reg.histogram("parley_store_seconds", "Store call latency", labels);
    failures_[i] = &reg.counter("parley_store_failures_total", "Store calls that failed", labels);
  }
}

template <class F>
auto Timed::timed(Op op, F&& f) {
  const auto start = std::chrono::steady_clock::now();
  auto r = f();
  latency_[op]->observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (!r) failures_[op]->inc();
  return r;
}

core::result<void> Timed::put_connection(const Connection& c) {
  return timed(put_conn, [&] { return inner_.put_connection(c); });
}
core::result<void> Timed::put_connection_and_member(const Connection& c, const Member& m) {
  return timed(put_both, [&] { return inner_.put_connection_and_member(c, m); });
}
core::result<Connection> Timed::get_connection(const std::string& id) {
  return timed(get_conn, [&] { return inner_.get_connection(id); });
}
core::result<void> Timed::delete_connection(const std::string& id) {
  return timed(del_conn, [&] { return inner_.delete_connection(id); });
}
core::result<void> Timed::put_member(const Member& m) {
  return timed(put_mem, [&] { return inner_.put_member(m); });
}
core::result<void> Timed::delete_member(const std::string& room, const std::string& id) {
  return timed(del_mem, [&] { return inner_.delete_member(room, id); });
}
core::result<std::vector<Member>> Timed::members(const std::string& room) {
  return timed(mems, [&] { return inner_.members(room); });
}
core::result<std::vector<Member>> Timed::memberships(const std::string& id) {
  return timed(ships, [&] { return inner_.memberships(id); });
}
core::result<Appended> Timed::append_message(Message m) {
  return timed(append, [&] { return inner_.append_message(std::move(m)); });
}
core::result<std::vector<Message>> Timed::messages_before(const std::string& room,
                                                          std::int64_t before_seq, int limit) {
  return timed(before, [&] { return inner_.messages_before(room, before_seq, limit); });
}
core::result<std::vector<Message>> Timed::messages_after(const std::string& room,
                                                         std::int64_t after_seq, int limit) {
  return timed(after, [&] { return inner_.messages_after(room, after_seq, limit); });
}
core::result<ConnectionView> Timed::connection_view(const std::string& id, int newest,
                                                   const WantsNewest& wants_newest) {
  return timed(view, [&] { return inner_.connection_view(id, newest, wants_newest); });
}
core::result<std::int64_t> Timed::last_seq(const std::string& room) {
  return timed(last, [&] { return inner_.last_seq(room); });
}

}  // namespace store
