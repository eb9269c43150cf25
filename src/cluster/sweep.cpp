#include "cluster/sweep.hpp"

#include "core/log.hpp"
#include "handlers/membership.hpp"

namespace cluster {

core::result<std::size_t> sweep_node(handlers::Ports& live, store::Tables raw, store::Nodes& nodes,
                                     const std::string& endpoint, std::int64_t before) {
  auto rows = nodes.connections_of(endpoint, before);
  if (!rows) return rows.error();
  std::size_t removed = 0;
  boost::system::error_code failed;
  for (const auto& c : *rows) {
    auto rooms = raw.members.memberships(c.connection_id);
    if (!rooms) {
      failed = rooms.error();
      continue;
    }
    bool ok = true;
    for (const auto& m : *rooms) {
      if (auto x = handlers::exit_room(live, m); !x) {
        failed = x.error();
        ok = false;
      }
    }
    if (!ok) continue;  // keep the connection row: the next sweep finds it again
    if (auto d = raw.connections.delete_connection(c.connection_id); !d) {
      failed = d.error();
      continue;
    }
    ++removed;
  }
  if (removed > 0 || failed)
    core::log::info("swept the connections of a dead node",
                    {{"node", endpoint}, {"removed", removed}, {"left", rows->size() - removed}});
  if (failed) return failed;
  return removed;
}

}  // namespace cluster
