#pragma once
// Every port in front of the ports of another store, passing each call through to the port
// that owns it — the compound ones too (put_connection_and_member, rename, connection_view,
// room_members, name_taken), so that the wrapped adapter's own fast path (SQLite's one
// transaction, a member list in memory) is what runs — with a hook before and after each call:
// what store::Timed (latency and failures per operation) and store::Faulty (the --store-faults
// test hook) add to whichever ports are behind them.
#include <chrono>

#include "store/store.hpp"

namespace store {

// The operations, in the order of their names (parley_store_seconds{op=...}).
enum class Op {
  put_connection, get_connection, delete_connection, put_member, delete_member, members,
  memberships, append_message, messages_before, messages_after, last_seq,
  put_connection_and_member, connection_view, rename, member, room_members, name_taken, count
};
extern const char* const op_names[static_cast<int>(Op::count)];

class Wrapping : public Store {
 public:
  explicit Wrapping(Tables inner) : inner_(inner) {}

  core::result<void> put_connection(const Connection& c) override;
  core::result<Connection> get_connection(const std::string& connection_id) override;
  core::result<void> delete_connection(const std::string& connection_id) override;
  core::result<void> put_member(const Member& m) override;
  core::result<void> put_connection_and_member(const Connection& c, const Member& m) override;
  core::result<void> rename(const Rename& r) override;
  core::result<void> delete_member(const std::string& room,
                                   const std::string& connection_id) override;
  core::result<std::vector<Member>> members(const std::string& room) override;
  core::result<RoomMembersPtr> room_members(const std::string& room) override;
  core::result<bool> name_taken(const std::string& room, std::string_view name,
                                std::string_view except_connection_id) override;
  core::result<std::optional<Member>> find_member(const std::string& room,
                                                  const std::string& connection_id) override;
  core::result<std::vector<Member>> memberships(const std::string& connection_id) override;
  core::result<ConnectionView> connection_view(const std::string& connection_id, int newest,
                                               const WantsNewest& wants_newest) override;
  core::result<Appended> append_message(Message m) override;
  core::result<std::vector<Message>> messages_before(const std::string& room,
                                                     std::int64_t before_seq, int limit) override;
  core::result<std::vector<Message>> messages_after(const std::string& room,
                                                    std::int64_t after_seq, int limit) override;
  core::result<std::int64_t> last_seq(const std::string& room) override;

 protected:
  // Before the call: an error makes the call fail with it without reaching the wrapped store.
  virtual boost::system::error_code before(Op) { return {}; }
  // After it (or after before() failed it): whether it succeeded, and how long it took.
  virtual void after(Op, bool /*ok*/, std::chrono::steady_clock::duration /*took*/) {}

 private:
  template <class F>
  auto call(Op op, F&& f) -> decltype(f());

  Tables inner_;
};

}  // namespace store
