#pragma once
// The Integration port: how the gateway runs a route's backend (in-process handlers, or
// Lambda functions over the Runtime API). The gateway knows route keys, never handlers.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "apigw/ws_event.hpp"

namespace gateway {

struct InvokeResult {
  enum class Status { ok, error, timeout };
  Status status = Status::ok;
  apigw::Response response;   // valid when status == ok
  std::string error_message;  // set when status == error
  // Process mode: the function that ran it, its execution environment (1, 2, ... per function)
  // and whether that environment was started for it (a cold start). For the inspector.
  std::string function;
  unsigned environment = 0;
  bool cold_start = false;
};

class Integration {
 public:
  virtual ~Integration() = default;

  // For the inspector's Functions panel: {"functions": [...]} with each function's execution
  // environments, or empty when the integration has no functions to show (in-process).
  // Thread-safe; may take a few milliseconds.
  virtual boost::json::object describe_functions() { return {}; }

  // The route keys the API has ($connect, $disconnect, $default and custom ones).
  virtual std::vector<std::string> route_keys() const = 0;

  // Runs the route's backend. `done` is called exactly once, on any thread, and may be called
  // after the gateway stopped waiting (timeout); it must not block.
  virtual void invoke(apigw::Event event, std::function<void(InvokeResult)> done) = 0;

  // An ordered lane: what is invoked through one lane runs one after another in the order it
  // was invoked, and `done`s are called in that order, without the caller waiting for each. A
  // connection uses one so that its next frames go to the handlers while the previous ones are
  // still being handled, and still reach them in order. nullptr when this integration cannot
  // keep that order (the caller then waits for each result before invoking the next).
  class Lane {
   public:
    virtual ~Lane() = default;
  };
  virtual std::shared_ptr<Lane> open_lane() { return nullptr; }

  // As invoke, after everything invoked earlier through `lane` (one of this integration's).
  // `started` is called (on any thread, before `done`) when the backend begins on the event:
  // the integration timeout counts from there, not from the time it waited behind the lane's
  // earlier events.
  virtual void invoke_in(Lane& lane, apigw::Event event, std::function<void()> started,
                         std::function<void(InvokeResult)> done) {
    (void)lane;
    started();
    invoke(std::move(event), std::move(done));
  }
};

}  // namespace gateway
