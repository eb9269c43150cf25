#pragma once
// One client action being handled: the event, the ports, the parsed body, and the ways to answer
// the sender. Every rejected action answers an `error` event (docs/protocol.md) and returns 200:
// API Gateway discards a one-way route's result, so the event is the only answer a client sees.
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/system/error_code.hpp>

#include "apigw/ws_event.hpp"
#include "handlers/ports.hpp"

namespace handlers {

class Request {
 public:
  Request(const apigw::Event& e, Ports& p, std::string_view action);

  const std::string& connection_id() const { return event.request_context.connection_id; }
  // The body as a JSON object; nullptr when the frame was not one.
  const boost::json::object* body() const { return body_ ? &*body_ : nullptr; }
  std::optional<std::string> string_field(std::string_view key) const;

  // Posts `frame` to the sender.
  void reply(std::string frame) const;
  // Posts an error event to the sender (with the action and the frame's clientMsgId).
  apigw::Response fail(std::string_view code, std::string_view message) const;
  // Logs a store failure and tells the sender the action had no effect.
  apigw::Response fail_store(const boost::system::error_code& ec, std::string_view what) const;

  const apigw::Event& event;
  Ports& ports;
  const std::string action;

 private:
  std::optional<boost::json::object> body_;
  std::string client_msg_id_;
};

}  // namespace handlers
