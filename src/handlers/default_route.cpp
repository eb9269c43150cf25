#include "handlers/default_route.hpp"

#include "handlers/body.hpp"
#include "handlers/send_message.hpp"

namespace handlers {

apigw::Response default_route(const apigw::Event& e, Ports& p) {
  auto body = parse_body(e.body.value_or(""));
  if (!body)
    return reply_error(e, p, "bad_request",
                       "the frame is not a JSON object; send {\"action\":\"sendmessage\",\"message\":\"...\"}");
  if (body->contains("message")) return send_parsed(e, *body, p);
  std::string action = string_member(*body, "action").value_or("");
  if (action.size() > 64) action = action.substr(0, 64) + "...";
  return reply_error(e, p, "unknown_action",
                     action.empty() ? "the frame has no \"action\"" : "unknown action \"" + action + "\"");
}

}  // namespace handlers
