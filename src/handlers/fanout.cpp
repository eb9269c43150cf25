#include "handlers/fanout.hpp"

#include <algorithm>

#include "core/clock.hpp"
#include "core/log.hpp"

namespace handlers {
namespace {
constexpr std::int64_t connect_grace_ms = 30000;  // the longest a $connect may run (29 s)
}

void broadcast(Ports& p, const store::RoomMembers& members, const apigw::SharedFrame& frame,
               std::string_view except) {
  const auto now = core::now_ms();
  auto forget_gone = [&](const std::vector<core::result<void>>& results, auto&& member_at) {
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (results[i] || results[i].error() != core::errc::gone) continue;
      const store::Member& target = member_at(i);
      if (now - target.joined_at < connect_grace_ms) continue;
      core::log::info("removing a gone connection", {{"connectionId", target.connection_id}});
      forget_connection(p, target.connection_id);
    }
  };
  // Rows that name the node holding each socket (several nodes on DynamoDB): posts routed by
  // node, no lookup per recipient.
  if (std::any_of(members.members.begin(), members.members.end(),
                  [](const store::Member& m) { return !m.gateway.empty(); })) {
    std::vector<apigw::Recipient> to;
    std::vector<const store::Member*> targets;
    to.reserve(members.members.size());
    targets.reserve(members.members.size());
    for (const auto& m : members.members) {
      if (m.connection_id == except) continue;
      to.push_back({m.connection_id, m.gateway});
      targets.push_back(&m);
    }
    forget_gone(p.connections.post_recipients(to, frame),
                [&](std::size_t i) -> const store::Member& { return *targets[i]; });
    return;
  }
  // One node: the room's own id list when nobody is left out (a message reaches its sender
  // too), no copy.
  std::vector<std::string> others;
  std::vector<const store::Member*> targets;
  const bool skip = !except.empty() && members.find(except) != nullptr;
  if (skip) {
    others.reserve(members.ids.size());
    targets.reserve(members.ids.size());
    for (const auto& m : members.members) {
      if (m.connection_id == except) continue;
      others.push_back(m.connection_id);
      targets.push_back(&m);
    }
  }
  // The whole list is the room's snapshot, which keeps what the adapter resolved it to.
  forget_gone(skip ? p.connections.post_many(others, frame)
                   : p.connections.post_list(members.ids, frame, members.memo),
              [&](std::size_t i) -> const store::Member& {
                return skip ? *targets[i] : members.members[i];
              });
}

void forget_connection(Ports& p, const std::string& connection_id) {
  if (auto rooms = p.store.memberships(connection_id)) {
    for (const auto& m : *rooms) (void)p.store.delete_member(m.room, connection_id);
  }
  (void)p.store.delete_connection(connection_id);
}

}  // namespace handlers
