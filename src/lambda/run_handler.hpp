#pragma once
// The custom-runtime loop: GET next, run the handler, POST its response or error, forever.
// Better than aws-lambda-cpp's: an exception becomes an error whose errorType is the
// exception's type, the deadline is enforced, and the caller gets why the loop stopped.
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>

#include "lambda/invocation.hpp"
#include "lambda/runtime_client.hpp"

namespace lambda {

using Handler = std::function<InvocationResponse(const Invocation&)>;

struct RunOptions {
  // Stop after this many invocations (tests); nullopt = forever, as on Lambda.
  std::optional<std::size_t> max_invocations;
};

// Why run_handler returned. Only max_invocations is a clean end; after the others the
// process must exit (Lambda then starts a fresh one), as the Runtime API contract says.
enum class Stopped {
  max_invocations,
  runtime_api_failed,  // next failed, or a post answered 500 / lost the connection
  timed_out,           // the handler ran past the deadline and still runs on its thread
};

const char* to_string(Stopped s);

// The errorType reported for a handler past its deadline (Lambda's own name for it).
inline constexpr const char* kTimeoutErrorType = "Sandbox.Timedout";

// Sets _X_AMZN_TRACE_ID for each invocation (unset when the event carries none), runs the
// handler on a worker thread and waits until the deadline. A handler that throws is reported
// with errorType (and Lambda-Runtime-Function-Error-Type) = the exception's type name
// (std::runtime_error, ...). A handler past the deadline is
// reported as kTimeoutErrorType and ends the loop: its thread cannot be stopped, so the
// process has to be replaced, as Lambda replaces a timed-out execution environment.
Stopped run_handler(RuntimeClient& client, const Handler& handler, const RunOptions& options = {});

// The demangled dynamic type of the exception being handled (call inside a catch block).
std::string current_exception_type();

}  // namespace lambda
