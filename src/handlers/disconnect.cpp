#include "handlers/disconnect.hpp"

#include "core/log.hpp"

namespace handlers {

apigw::Response disconnect(const apigw::Event& e, Ports& p) {
  const auto& id = e.request_context.connection_id;
  if (auto r = p.store.delete_connection(id); !r) {
    core::log::error("disconnect: cannot delete connection",
                     {{"connectionId", id}, {"error", r.error().message()}});
    return apigw::Response{500, {}, std::string("store unavailable")};
  }
  return {};
}

}  // namespace handlers
