#pragma once
// cluster::NodeStore: one node's view of the store shared by several `parley serve` nodes, a
// decorator the handlers see in place of the shared store.
//  * Writes: a connection or member row written with gateway "" ("this node", as the handlers
//    leave it) gets this node's endpoint, so every other node can route to it.
//  * Reads: rows of sockets that are gone (their node's heartbeat expired, or a previous run of
//    a restarted node; for a row naming no node, a ttl in the past) are left out, as if already
//    deleted: presence, fan-out and DMs skip them before a sweeper deletes them.
// No cache: every read goes to the store; only the liveness view (a few node rows) is local.
#include "cluster/liveness.hpp"
#include "store/store.hpp"

namespace cluster {

class NodeStore final : public store::Store {
 public:
  NodeStore(store::Store& inner, const Liveness& liveness) : inner_(inner), liveness_(liveness) {}

  core::result<void> put_connection(const store::Connection& c) override;
  core::result<store::Connection> get_connection(const std::string& connection_id) override;
  core::result<void> delete_connection(const std::string& connection_id) override {
    return inner_.delete_connection(connection_id);
  }

  core::result<void> put_member(const store::Member& m) override;
  core::result<void> delete_member(const std::string& room, const std::string& connection_id) override {
    return inner_.delete_member(room, connection_id);
  }
  core::result<std::vector<store::Member>> members(const std::string& room) override;
  core::result<std::optional<store::Member>> find_member(const std::string& room, const std::string& connection_id) override;
  core::result<std::vector<store::Member>> memberships(const std::string& connection_id) override;

  core::result<store::Appended> append_message(store::Message m) override {
    return inner_.append_message(std::move(m));
  }
  core::result<std::vector<store::Message>> messages_before(const std::string& room, std::int64_t before_seq,
                                                            int limit) override {
    return inner_.messages_before(room, before_seq, limit);
  }
  core::result<std::vector<store::Message>> messages_after(const std::string& room, std::int64_t after_seq,
                                                           int limit) override {
    return inner_.messages_after(room, after_seq, limit);
  }
  core::result<std::int64_t> last_seq(const std::string& room) override { return inner_.last_seq(room); }

 private:
  bool gone(const std::string& gateway, std::int64_t row_time, std::int64_t ttl, std::int64_t now_ms) const;
  core::result<std::vector<store::Member>> live(core::result<std::vector<store::Member>> rows) const;

  store::Store& inner_;
  const Liveness& liveness_;
};

}  // namespace cluster
