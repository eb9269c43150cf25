#pragma once
// cluster::NodeStore: one node's view of the store shared by several `parley serve` nodes, a
// decorator of the rows that name a node — connections and memberships — which the handlers
// see in place of the shared store's; the message log passes by it untouched.
//  * Writes: a connection or member row written with gateway "" ("this node", as the handlers
//    leave it) gets this node's endpoint, so every other node can route to it.
//  * Reads: rows of sockets that are gone (their node's heartbeat expired, or a previous run of
//    a restarted node; for a row naming no node, a ttl in the past) are left out, as if already
//    deleted: presence, fan-out and DMs skip them before a sweeper deletes them. room_members,
//    name_taken and connection_view are derived from these filtered reads (store/derived.hpp),
//    never passed to the shared store's own, which would show the dead rows.
// No cache: every read goes to the store; only the liveness view (a few node rows) is local.
#include "cluster/liveness.hpp"
#include "store/derived.hpp"
#include "store/store.hpp"

namespace cluster {

class NodeStore final : public store::ConnectionTable, public store::Memberships {
 public:
  NodeStore(store::Tables inner, const Liveness& liveness)
      : inner_(inner), liveness_(liveness), view_(*this, *this, inner.messages) {}

  // The shared store's ports with this node's view of connections and memberships.
  store::Tables tables() { return {*this, *this, inner_.messages, view_}; }

  core::result<void> put_connection(const store::Connection& c) override;
  core::result<store::Connection> get_connection(const std::string& connection_id) override;
  core::result<void> delete_connection(const std::string& connection_id) override {
    return inner_.connections.delete_connection(connection_id);
  }

  core::result<void> put_member(const store::Member& m) override;
  // Both rows stamped, then the shared store's own write (its one transaction, if it has one).
  core::result<void> put_connection_and_member(const store::Connection& c, const store::Member& m) override;
  core::result<void> rename(const store::Rename& r) override;
  core::result<void> delete_member(const std::string& room, const std::string& connection_id) override {
    return inner_.members.delete_member(room, connection_id);
  }
  core::result<std::vector<store::Member>> members(const std::string& room) override;
  core::result<store::RoomMembersPtr> room_members(const std::string& room) override {
    return store::room_members_of(*this, room);
  }
  core::result<bool> name_taken(const std::string& room, std::string_view name,
                                std::string_view except_connection_id) override {
    return store::name_taken_in(*this, room, name, except_connection_id);
  }
  core::result<std::optional<store::Member>> find_member(const std::string& room, const std::string& connection_id) override;
  core::result<std::vector<store::Member>> memberships(const std::string& connection_id) override;

 private:
  bool gone(const std::string& gateway, std::int64_t row_time, std::int64_t ttl, std::int64_t now_ms) const;
  core::result<std::vector<store::Member>> live(core::result<std::vector<store::Member>> rows) const;
  // The row as this node writes it: gateway "" becomes this node's endpoint.
  store::Connection stamped(const store::Connection& c) const;
  store::Member stamped(const store::Member& m) const;

  store::Tables inner_;
  const Liveness& liveness_;
  store::ViewOfTables view_;  // connection_view over this view's filtered reads
};

}  // namespace cluster
