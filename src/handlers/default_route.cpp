#include "handlers/default_route.hpp"

#include "handlers/send_message.hpp"

namespace handlers {

apigw::Response default_route(const apigw::Event& e, Ports& p) {
  const Request r(e, p, "");
  if (!r.body())
    return r.fail("bad_request",
                  "the frame is not a JSON object; send {\"action\":\"sendmessage\",\"message\":\"...\"}");
  std::string action = r.string_field("action").value_or("");
  if (r.body()->contains("message")) return send_message(Request(e, p, action));
  if (action.size() > 64) action = action.substr(0, 64) + "...";
  return r.fail("unknown_action", action.empty() ? "the frame has no \"action\""
                                                 : "unknown action \"" + action + "\"");
}

}  // namespace handlers
