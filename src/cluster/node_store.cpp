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

store::Connection NodeStore::stamped(const store::Connection& c) const {
  store::Connection out = c;
  if (out.gateway.empty()) out.gateway = liveness_.self();
  return out;
}

store::Member NodeStore::stamped(const store::Member& m) const {
  store::Member out = m;
  if (out.gateway.empty()) out.gateway = liveness_.self();
  return out;
}

core::result<void> NodeStore::put_connection(const store::Connection& c) {
  return inner_.connections.put_connection(stamped(c));
}

core::result<store::Connection> NodeStore::get_connection(const std::string& connection_id) {
  auto c = inner_.connections.get_connection(connection_id);
  if (c && gone(c->gateway, c->connected_at, c->ttl, core::now_ms()))
    return core::make_error_code(core::errc::not_found);
  return c;
}

core::result<void> NodeStore::put_member(const store::Member& m) {
  return inner_.members.put_member(stamped(m));
}

core::result<void> NodeStore::put_connection_and_member(const store::Connection& c, const store::Member& m) {
  return inner_.members.put_connection_and_member(stamped(c), stamped(m));
}

core::result<void> NodeStore::rename(const store::Rename& r) {
  store::Rename out = r;
  out.connection = stamped(r.connection);
  for (auto& m : out.members) m = stamped(m);
  return inner_.members.rename(out);
}

core::result<std::vector<store::Member>> NodeStore::live(core::result<std::vector<store::Member>> rows) const {
  if (!rows) return rows;
  const auto now = core::now_ms();
  std::erase_if(*rows, [&](const store::Member& m) { return gone(m.gateway, m.joined_at, m.ttl, now); });
  return rows;
}

core::result<std::vector<store::Member>> NodeStore::members(const std::string& room) {
  return live(inner_.members.members(room));
}

core::result<std::optional<store::Member>> NodeStore::find_member(const std::string& room,
                                                             const std::string& connection_id) {
  auto m = inner_.members.find_member(room, connection_id);
  if (m && *m && gone((*m)->gateway, (*m)->joined_at, (*m)->ttl, core::now_ms())) return std::optional<store::Member>();
  return m;
}

core::result<std::vector<store::Member>> NodeStore::memberships(const std::string& connection_id) {
  return live(inner_.members.memberships(connection_id));
}

}  // namespace cluster
