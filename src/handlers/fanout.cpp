#include "handlers/fanout.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"

namespace handlers {
namespace {
constexpr std::int64_t connect_grace_ms = 30000;  // the longest a $connect may run (29 s)
}

void broadcast(Ports& p, const std::vector<store::Member>& members, const apigw::SharedFrame& frame,
               std::string_view except) {
  std::vector<apigw::Recipient> to;
  std::vector<const store::Member*> targets;
  to.reserve(members.size());
  targets.reserve(members.size());
  for (const auto& m : members) {
    if (m.connection_id == except) continue;
    to.push_back({m.connection_id, m.gateway});  // the node holding it: no lookup per recipient
    targets.push_back(&m);
  }
  const auto results = p.connections.post_recipients(to, frame);
  const auto now = core::now_ms();
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i] || results[i].error() != core::errc::gone) continue;
    if (now - targets[i]->joined_at < connect_grace_ms) continue;
    core::log::info("removing a gone connection", {{"connectionId", to[i].connection_id}});
    forget_connection(p, to[i].connection_id);
  }
}

void forget_connection(Ports& p, const std::string& connection_id) {
  if (auto rooms = p.store.memberships(connection_id)) {
    for (const auto& m : *rooms) (void)p.store.delete_member(m.room, connection_id);
  }
  (void)p.store.delete_connection(connection_id);
}

}  // namespace handlers
