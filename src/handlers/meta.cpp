#include "handlers/meta.hpp"

#include "handlers/events.hpp"
#include "handlers/send_message.hpp"

namespace handlers {

apigw::Response hello(const apigw::Event& e, Ports& p) {
  const auto& id = e.request_context.connection_id;
  auto conn = p.store.get_connection(id);
  if (!conn) return reply_error(e, p, "internal", "your connection is not registered; reconnect");
  (void)p.connections.post(id, apigw::make_frame(events::welcome(*conn)));
  return {};
}

apigw::Response ping(const apigw::Event& e, Ports& p) {
  (void)p.connections.post(e.request_context.connection_id, apigw::make_frame(events::pong()));
  return {};
}

}  // namespace handlers
