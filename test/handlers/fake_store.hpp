#pragma once
// An in-memory store::Store for handler tests: map-based, thread-safe, and able to fail on
// demand with errc::store_unavailable (every call, or chosen operations only).
// fake_store_test.cpp holds it to the same contract as the real adapters.
#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace fakes {

class FakeStore final : public store::Store {
 public:
  enum class Op {
    put_connection,
    get_connection,
    delete_connection,
    connections_in_room,
    append_message,
    messages_before,
    messages_after,
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
  }

  // ---- inspection, bypassing the failure switches ----

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

  // ---- store::Store ----

  core::result<void> put_connection(const store::Connection& c) override {
    std::lock_guard lock(mu_);
    if (auto e = enter(Op::put_connection)) return *e;
    if (c.connection_id.empty() || c.room.empty()) return core::errc::invalid_argument;
    connections_[c.connection_id] = c;
    return {};
  }

  core::result<store::Connection> get_connection(const std::string& id) override {
    std::lock_guard lock(mu_);
    if (auto e = enter(Op::get_connection)) return *e;
    if (id.empty()) return core::errc::invalid_argument;
    auto it = connections_.find(id);
    if (it == connections_.end()) return core::errc::not_found;
    return it->second;
  }

  core::result<void> delete_connection(const std::string& id) override {
    std::lock_guard lock(mu_);
    if (auto e = enter(Op::delete_connection)) return *e;
    if (id.empty()) return core::errc::invalid_argument;
    connections_.erase(id);
    return {};
  }

  core::result<std::vector<std::string>> connections_in_room(const std::string& room) override {
    std::lock_guard lock(mu_);
    if (auto e = enter(Op::connections_in_room)) return *e;
    if (room.empty()) return core::errc::invalid_argument;
    std::vector<std::string> ids;
    for (const auto& [id, c] : connections_)
      if (c.room == room) ids.push_back(id);
    return ids;
  }

  core::result<store::Message> append_message(store::Message m) override {
    std::lock_guard lock(mu_);
    if (auto e = enter(Op::append_message)) return *e;
    if (m.room.empty()) return core::errc::invalid_argument;
    auto& history = messages_[m.room];
    m.seq = static_cast<std::int64_t>(history.size()) + 1;
    history.push_back(m);
    return m;
  }

  core::result<std::vector<store::Message>> messages_before(const std::string& room,
                                                            std::int64_t before_seq,
                                                            int limit) override {
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

 private:
  // Counts the call; the error to answer when a failure switch covers `op`. Caller holds mu_.
  std::optional<core::errc> enter(Op op) {
    ++calls_[op];
    if (fail_all_ || failing_.count(op)) return core::errc::store_unavailable;
    return std::nullopt;
  }

  mutable std::mutex mu_;
  std::map<std::string, store::Connection> connections_;
  std::map<std::string, std::vector<store::Message>> messages_;  // per room, in seq order
  std::map<Op, int> calls_;
  std::set<Op> failing_;
  bool fail_all_ = false;
};

}  // namespace fakes
