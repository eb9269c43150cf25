#include "handlers/request.hpp"

#include "core/log.hpp"
#include "handlers/body.hpp"
#include "handlers/events.hpp"

namespace handlers {

Request::Request(const apigw::Event& e, Ports& p, std::string_view action_name)
    : event(e), ports(p), action(action_name), body_(parse_body(e.body.value_or(""))) {
  if (body_) {
    if (auto id = string_member(*body_, "clientMsgId"); id && id->size() <= 64)
      client_msg_id_ = std::move(*id);
  }
}

std::optional<std::string> Request::string_field(std::string_view key) const {
  if (!body_) return std::nullopt;
  return string_member(*body_, key);
}

void Request::reply(std::string frame) const {
  if (auto r = ports.connections.post_one(connection_id(), apigw::make_frame(std::move(frame))); !r) {
    core::log::debug("cannot answer the sender",
                     {{"connectionId", connection_id()}, {"error", r.error().message()}});
  }
}

apigw::Response Request::fail(std::string_view code, std::string_view message) const {
  reply(events::error(code, message, action, client_msg_id_));
  return {};
}

apigw::Response Request::fail_store(const boost::system::error_code& ec,
                                    std::string_view what) const {
  core::log::error("store failed", {{"connectionId", connection_id()},
                                    {"routeKey", event.request_context.route_key},
                                    {"requestId", event.request_context.request_id},
                                    {"during", what},
                                    {"error", ec.message()}});
  return fail("internal", "the server could not " + std::string(what) + "; try again");
}

}  // namespace handlers
