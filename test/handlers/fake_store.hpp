#pragma once
// An in-memory store::Store for handler tests: map-based, thread-safe (one mutex, so every call is
// atomic, idempotent appends included), and able to fail on demand with errc::store_unavailable
// (every call, or chosen operations only, or an operation from its n-th call on).
// fake_store_test.cpp holds it to the same contract as the real adapters (test/store).
#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "store/derived.hpp"
#include "store/store.hpp"

namespace fakes {

class FakeStore final : public store::Store {
 public:
  enum class Op {
    put_connection,
    get_connection,
    delete_connection,
    put_member,
    delete_member,
    members,
    memberships,
    append_message,
    messages_before,
    messages_after,
    last_seq,
  };

  // While on, every call fails with store_unavailable.
  void fail_all(bool on = true) {
    std::lock_guard lock(mu_);
    fail_all_ = on;
  }
  // While on, calls of `op` fail with store_unavailable.
  void fail(Op op, bool on = true) {
    std::lock_guard lock(mu_);
    if (on) failing_.insert(op);
    else failing_.erase(op);
    fail_from_.erase(op);
  }
  // Calls of `op` fail from the n-th call on, counted from now (n = 1: the next one).
  void fail_from(Op op, int n) {
    std::lock_guard lock(mu_);
    fail_from_[op] = calls_[op] + n;
  }
  // Only the n-th call of `op` from now fails (n = 1: the next one); later calls succeed.
  void fail_once(Op op, int n) {
    std::lock_guard lock(mu_);
    fail_once_[op] = calls_[op] + n;
  }
  // Runs `f` at the start of every call of `op`, before the lock is taken (so `f` may call the
  // store): a way to make something happen "between two reads" of a handler.
  void before(Op op, std::function<void()> f) {
    std::lock_guard lock(mu_);
    hooks_[op] = std::move(f);
  }

  // ---- inspection and setup, bypassing the failure switches and the call counts ----

  std::optional<store::Connection> connection(const std::string& id) const {
    std::lock_guard lock(mu_);
    auto it = connections_.find(id);
    if (it == connections_.end()) return std::nullopt;
    return it->second;
  }
  std::size_t connection_count() const {
    std::lock_guard lock(mu_);
    return connections_.size();
  }
  std::optional<store::Member> member(const std::string& room, const std::string& id) const {
    std::lock_guard lock(mu_);
    auto it = members_.find({room, id});
    if (it == members_.end()) return std::nullopt;
    return it->second;
  }
  // Connection ids in `room`, ordered.
  std::vector<std::string> member_ids(const std::string& room) const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [key, m] : members_)
      if (key.first == room) out.push_back(key.second);
    return out;
  }
  // Rooms `id` is in, ordered.
  std::vector<std::string> rooms_of(const std::string& id) const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [key, m] : members_)
      if (key.second == id) out.push_back(key.first);
    return out;
  }
  std::size_t member_count() const {
    std::lock_guard lock(mu_);
    return members_.size();
  }
  std::vector<store::Message> messages(const std::string& room) const {
    std::lock_guard lock(mu_);
    auto it = messages_.find(room);
    return it == messages_.end() ? std::vector<store::Message>{} : it->second;
  }
  std::size_t message_count() const {
    std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (const auto& [_, ms] : messages_) n += ms.size();
    return n;
  }
  int calls(Op op) const {
    std::lock_guard lock(mu_);
    auto it = calls_.find(op);
    return it == calls_.end() ? 0 : it->second;
  }
  // Every call so far, in order.
  std::vector<Op> call_log() const {
    std::lock_guard lock(mu_);
    return log_;
  }

  // ---- store::Store ----
  // The compound calls as the adapters without a transaction make them, on this store's own
  // calls (so their parts are counted, can fail and show in call_log one by one).

  core::result<void> put_connection_and_member(const store::Connection& c, const store::Member& m) override {
    return store::put_connection_then_member(*this, *this, c, m);
  }
  core::result<void> rename(const store::Rename& r) override { return store::rename_row_by_row(*this, *this, r); }
  core::result<store::RoomMembersPtr> room_members(const std::string& room) override {
    return store::room_members_of(*this, room);
  }
  core::result<bool> name_taken(const std::string& room, std::string_view name,
                                std::string_view except_connection_id) override {
    return store::name_taken_in(*this, room, name, except_connection_id);
  }
  core::result<std::optional<store::Member>> find_member(const std::string& room,
                                                         const std::string& connection_id) override {
    return store::find_member_in(*this, room, connection_id);
  }
  core::result<store::ConnectionView> connection_view(const std::string& connection_id, int newest,
                                                      const store::WantsNewest& wants_newest) override {
    return store::view_call_by_call(*this, *this, *this, connection_id, newest, wants_newest);
  }

  core::result<void> put_connection(const store::Connection& c) override {
    hook(Op::put_connection);
    std::lock_guard lock(mu_);
    if (auto e = enter(Op::put_connection)) return *e;
    if (c.connection_id.empty()) return core::errc::invalid_argument;
    connections_[c.connection_id] = c;
    return {};
  }

  core::result<store::Connection> get_connection(const std::string& id) override {
    hook(Op::get_connection);
    std::lock_guard lock(mu_);
    if (auto e = enter(Op::get_connection)) return *e;
    if (id.empty()) return core::errc::invalid_argument;
    auto it = connections_.find(id);
    if (it == connections_.end()) return core::errc::not_found;
    return it->second;
  }

  core::result<void> delete_connection(const std::string& id) override {
    hook(Op::delete_connection);
    std::lock_guard lock(mu_);
    if (auto e = enter(Op::delete_connection)) return *e;
    if (id.empty()) return core::errc::invalid_argument;
    connections_.erase(id);  // member rows stay: the caller deletes them
    return {};
  }

  core::result<void> put_member(const store::Member& m) override {
    hook(Op::put_member);
    std::lock_guard lock(mu_);
    if (auto e = enter(Op::put_member)) return *e;
    if (m.room.empty() || m.connection_id.empty()) return core::errc::invalid_argument;
    members_[{m.room, m.connection_id}] = m;
    return {};
  }

  core::result<void> delete_member(const std::string& room, const std::string& id) override {
    hook(Op::delete_member);
    std::lock_guard lock(mu_);
    if (auto e = enter(Op::delete_member)) return *e;
    if (room.empty() || id.empty()) return core::errc::invalid_argument;
    members_.erase({room, id});
    return {};
  }

  core::result<std::vector<store::Member>> members(const std::string& room) override {
    hook(Op::members);
    std::lock_guard lock(mu_);
    if (auto e = enter(Op::members)) return *e;
    if (room.empty()) return core::errc::invalid_argument;
    std::vector<store::Member> out;  // the map's order: by connection id within the room
    for (auto it = members_.lower_bound({room, ""}); it != members_.end() && it->first.first == room;
         ++it)
      out.push_back(it->second);
    return out;
  }

  core::result<std::vector<store::Member>> memberships(const std::string& id) override {
    hook(Op::memberships);
    std::lock_guard lock(mu_);
    if (auto e = enter(Op::memberships)) return *e;
    if (id.empty()) return core::errc::invalid_argument;
    std::vector<store::Member> out;  // the map's order: by room
    for (const auto& [key, m] : members_)
      if (key.second == id) out.push_back(m);
    return out;
  }

  core::result<store::Appended> append_message(store::Message m) override {
    hook(Op::append_message);
    std::lock_guard lock(mu_);
    if (auto e = enter(Op::append_message)) return *e;
    if (m.room.empty()) return core::errc::invalid_argument;
    auto& history = messages_[m.room];
    if (!m.client_msg_id.empty()) {
      auto it = keys_.find({m.room, m.client_msg_id});
      if (it != keys_.end())
        return store::Appended{history.at(static_cast<std::size_t>(it->second - 1)), true};
    }
    m.seq = static_cast<std::int64_t>(history.size()) + 1;
    history.push_back(m);
    if (!m.client_msg_id.empty()) keys_[{m.room, m.client_msg_id}] = m.seq;
    return store::Appended{m, false};
  }

  core::result<std::vector<store::Message>> messages_before(const std::string& room,
                                                            std::int64_t before_seq,
                                                            int limit) override {
    hook(Op::messages_before);
    std::lock_guard lock(mu_);
    if (auto e = enter(Op::messages_before)) return *e;
    if (room.empty() || limit <= 0) return core::errc::invalid_argument;
    std::vector<store::Message> out;
    auto it = messages_.find(room);
    if (it == messages_.end()) return out;
    for (const auto& m : it->second)
      if (before_seq <= 0 || m.seq < before_seq) out.push_back(m);
    if (out.size() > static_cast<std::size_t>(limit))
      out.erase(out.begin(), out.end() - limit);  // keep the newest, oldest first
    return out;
  }

  core::result<std::vector<store::Message>> messages_after(const std::string& room,
                                                           std::int64_t after_seq,
                                                           int limit) override {
    hook(Op::messages_after);
    std::lock_guard lock(mu_);
    if (auto e = enter(Op::messages_after)) return *e;
    if (room.empty() || limit <= 0) return core::errc::invalid_argument;
    std::vector<store::Message> out;
    auto it = messages_.find(room);
    if (it == messages_.end()) return out;
    for (const auto& m : it->second) {
      if (m.seq <= after_seq) continue;
      if (out.size() == static_cast<std::size_t>(limit)) break;
      out.push_back(m);
    }
    return out;
  }

  core::result<std::int64_t> last_seq(const std::string& room) override {
    hook(Op::last_seq);
    std::lock_guard lock(mu_);
    if (auto e = enter(Op::last_seq)) return *e;
    if (room.empty()) return core::errc::invalid_argument;
    auto it = messages_.find(room);
    return it == messages_.end() ? std::int64_t{0} : static_cast<std::int64_t>(it->second.size());
  }

 private:
  void hook(Op op) {
    std::function<void()> f;
    {
      std::lock_guard lock(mu_);
      if (auto it = hooks_.find(op); it != hooks_.end()) f = it->second;
    }
    if (f) f();
  }

  // Counts the call; the error to answer when a failure switch covers `op`. Caller holds mu_.
  std::optional<core::errc> enter(Op op) {
    const int n = ++calls_[op];
    log_.push_back(op);
    if (fail_all_ || failing_.count(op)) return core::errc::store_unavailable;
    if (auto it = fail_from_.find(op); it != fail_from_.end() && n >= it->second)
      return core::errc::store_unavailable;
    if (auto it = fail_once_.find(op); it != fail_once_.end() && n == it->second)
      return core::errc::store_unavailable;
    return std::nullopt;
  }

  mutable std::mutex mu_;
  std::map<std::string, store::Connection> connections_;
  std::map<std::pair<std::string, std::string>, store::Member> members_;  // (room, connection id)
  std::map<std::string, std::vector<store::Message>> messages_;  // per room, seq i at [i - 1]
  std::map<std::pair<std::string, std::string>, std::int64_t> keys_;  // (room, clientMsgId) → seq
  std::map<Op, int> calls_;
  std::vector<Op> log_;
  std::set<Op> failing_;
  std::map<Op, int> fail_from_;
  std::map<Op, int> fail_once_;
  std::map<Op, std::function<void()>> hooks_;
  bool fail_all_ = false;
};

}  // namespace fakes
