#include "handlers/disconnect.hpp"

#include "core/log.hpp"
#include "handlers/membership.hpp"

namespace handlers {

apigw::Response disconnect(const apigw::Event& e, Ports& p) {
  const auto& id = e.request_context.connection_id;
  bool ok = true;
  if (auto rooms = p.store.memberships(id)) {
    for (const auto& m : *rooms) ok = exit_room(p, m).has_value() && ok;
  } else {
    ok = false;
  }
  ok = p.store.delete_connection(id).has_value() && ok;
  if (!ok) {
    core::log::error("disconnect: cannot remove the connection's rows", {{"connectionId", id}});
    return apigw::Response{500, {}, std::string("store unavailable")};
  }
  return {};
}

}  // namespace handlers
