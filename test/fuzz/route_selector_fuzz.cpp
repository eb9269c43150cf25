// libFuzzer target: route selection on an arbitrary frame body, with the chat's routes and the
// default expression; the first line of the input may also be tried as an expression.
// Invariants: no crash; the selected route is one of the API's keys; a body that evaluates to
// a custom route key selects that key.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "gateway/route_selector.hpp"

namespace {

const std::vector<std::string> keys = {"$connect", "$disconnect", "$default", "sendmessage",
                                       "join", "leave", "setname", "history", "who", "dm",
                                       "hello", "ping"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static const gateway::RouteSelector chat("$request.body.action", keys);
  const auto route = chat.select(input);
  if (!route) std::abort();  // the chat has $default: every body has a route
  bool known = false;
  for (const auto& k : keys) known = known || k == *route;
  if (!known) std::abort();
  const std::string value = chat.evaluate(input);
  if (chat.has(value) && value[0] != '$' && *route != value) std::abort();

  // An expression from the input (start-up errors are std::invalid_argument, nothing else).
  const auto nl = input.find('\n');
  if (nl != std::string_view::npos) {
    try {
      gateway::RouteSelector custom(input.substr(0, nl), {"$default", "a", "b"});
      (void)custom.select(input.substr(nl + 1));
    } catch (const std::invalid_argument&) {
    }
  }
  return 0;
}
