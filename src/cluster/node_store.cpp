#include "cluster/node_store.hpp"

#include <algorithm>

#include "core/clock.hpp"

namespace cluster {

bool NodeStore::gone(const std::string& gateway, std::int64_t row_time, std::int64_t ttl,
                     std::int64_t now_ms) const {
  // A row naming its node is current while that node is: a connection may outlive the row's
  // ttl (--max-duration above it) and must still get its messages. Only a row without a node
  // goes by its ttl (DynamoDB's TTL deletes it some day; dynalite never does).
  if (gateway.empty()) return ttl != 0 && ttl < now_ms / 1000;
  return liveness_.dead(gateway, row_time, now_ms);
}

core::result<void> NodeStore::put_connection(const store::Connection& c) {
  if (!c.gateway.empty()) return inner_.put_connection(c);
  store::Connection stamped = c;
  stamped.gateway = liveness_.self();
  return inner_.put_connection(stamped);
}

core::result<store::Connection> NodeStore::get_connection(const std::string& connection_id) {
  auto c = inner_.get_connection(connection_id);
  if (c && gone(c->gateway, c->connected_at, c->ttl, core::now_ms()))
    return core::make_error_code(core::errc::not_found);
  return c;
}

core::result<void> NodeStore::put_member(const store::Member& m) {
  if (!m.gateway.empty()) return inner_.put_member(m);
  store::Member stamped = m;
  stamped.gateway = liveness_.self();
  return inner_.put_member(stamped);
}

core::result<std::vector<store::Member>> NodeStore::live(core::result<std::vector<store::Member>> rows) const {
  if (!rows) return rows;
  const auto now = core::now_ms();
  std::erase_if(*rows, [&](const store::Member& m) { return gone(m.gateway, m.joined_at, m.ttl, now); });
  return rows;
}

core::result<std::vector<store::Member>> NodeStore::members(const std::string& room) {
  return live(inner_.members(room));
}

core::result<std::optional<store::Member>> NodeStore::find_member(const std::string& room,
                                                             const std::string& connection_id) {
  auto m = inner_.find_member(room, connection_id);
  if (m && *m && gone((*m)->gateway, (*m)->joined_at, (*m)->ttl, core::now_ms())) return std::optional<store::Member>();
  return m;
}

core::result<std::vector<store::Member>> NodeStore::memberships(const std::string& connection_id) {
  return live(inner_.memberships(connection_id));
}

}  // namespace cluster
