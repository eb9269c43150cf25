#include "handlers/disconnect.hpp"

#include "core/log.hpp"
#include "handlers/membership.hpp"

namespace handlers {

apigw::Response disconnect(const apigw::Event& e, Ports& p) {
  const auto& id = e.request_context.connection_id;
  auto rooms = p.store.members.memberships(id);
  // The connection row goes before the leaves are announced: once a member has seen the leave,
  // nothing finds this connection any more (a dm to its id is unknown_recipient), even when the
  // next request runs in another process at once (Lambda, `serve --lambda process`).
  bool ok = p.store.connections.delete_connection(id).has_value();
  if (rooms) {
    for (const auto& m : *rooms) ok = exit_room(p, m).has_value() && ok;
  } else {
    ok = false;
  }
  if (!ok) {
    core::log::error("disconnect: cannot remove the connection's rows", {{"connectionId", id}});
    return apigw::Response{500, {}, std::string("store unavailable")};
  }
  return {};
}

}  // namespace handlers
