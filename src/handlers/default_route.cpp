#include "handlers/default_route.hpp"

#include "handlers/body.hpp"
#include "handlers/send_message.hpp"

namespace handlers {

apigw::Response default_route(const apigw::Event& e, Ports& p) {
  // The action is named in any error, as the client sent it (cut to a sane length).
  std::string action;
  if (auto body = parse_body(e.body.value_or(""))) action = string_member(*body, "action").value_or("");
  action = shorten(action);
  const Request r(e, p, action);
  if (!r.body())
    return r.fail("bad_request",
                  "the frame is not a JSON object; send {\"action\":\"sendmessage\",\"message\":\"...\"}");
  if (r.body()->contains("message")) return send_message(r);
  return r.fail("unknown_action", action.empty() ? "the frame has no \"action\""
                                                 : "unknown action \"" + action + "\"");
}

}  // namespace handlers
