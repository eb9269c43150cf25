#include "handlers/fanout.hpp"

#include <algorithm>

#include "core/clock.hpp"
#include "core/log.hpp"

namespace handlers {
namespace {
constexpr std::int64_t connect_grace_ms = 30000;  // the longest a $connect may run (29 s)
}

void broadcast(Ports& p, const store::RoomMembers& members, const apigw::SharedFrame& frame,
               std::string_view except, apigw::PostOptions options) {
  // The room's own list when nobody is left out (a message reaches its sender too): no copy,
  // and the adapter may remember what it resolved this version of the list to. Otherwise the
  // members but `except`.
  const bool skip = !except.empty() && members.find(except) != nullptr;
  // Rows that name the node holding each socket (several nodes on DynamoDB): posts routed by
  // node, no lookup per recipient.
  const bool routed = std::any_of(members.members.begin(), members.members.end(),
                                  [](const store::Member& m) { return !m.gateway.empty(); });
  const bool copied = skip || routed;
  std::vector<std::string> ids, gateways;
  std::vector<const store::Member*> targets;
  apigw::Recipients to{members.ids};
  if (copied) {
    ids.reserve(members.members.size());
    targets.reserve(members.members.size());
    for (const auto& m : members.members) {
      if (m.connection_id == except) continue;
      ids.push_back(m.connection_id);
      if (routed) gateways.push_back(m.gateway);
      targets.push_back(&m);
    }
    to = apigw::Recipients{ids, gateways};
  } else if (!members.members.empty()) {
    to.list = members.members.front().room;
    to.version = members.version;
  }
  const auto results = p.connections.post(to, frame, options);
  const auto now = core::now_ms();
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i] || results[i].error() != core::errc::gone) continue;
    const store::Member& target = copied ? *targets[i] : members.members[i];
    if (now - target.joined_at < connect_grace_ms) continue;
    core::log::info("removing a gone connection", {{"connectionId", target.connection_id}});
    forget_connection(p, target.connection_id);
  }
}

void forget_connection(Ports& p, const std::string& connection_id) {
  if (auto rooms = p.store.members.memberships(connection_id)) {
    for (const auto& m : *rooms) (void)p.store.members.delete_member(m.room, connection_id);
  }
  (void)p.store.connections.delete_connection(connection_id);
}

}  // namespace handlers
