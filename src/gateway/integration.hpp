#pragma once
// The Integration port: how the gateway runs a route's backend (in-process handlers, or
// Lambda functions over the Runtime API). The gateway knows route keys, never handlers.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "apigw/ws_event.hpp"

namespace gateway {

struct InvokeResult {
  enum class Status { ok, error, timeout };
  Status status = Status::ok;
  apigw::Response response;   // valid when status == ok
  std::string error_message;  // set when status == error
};

class Integration {
 public:
  virtual ~Integration() = default;

  // The route keys the API has ($connect, $disconnect, $default and custom ones).
  virtual std::vector<std::string> route_keys() const = 0;

  // Runs the route's backend. `done` is called exactly once, on any thread, and may be called
  // after the gateway stopped waiting (timeout); it must not block.
  virtual void invoke(apigw::Event event, std::function<void(InvokeResult)> done) = 0;
};

}  // namespace gateway
