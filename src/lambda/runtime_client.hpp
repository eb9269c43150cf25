#pragma once
// The client side of the Lambda Runtime API (aws-contract.md §5.2): next, response, error and
// init error, on one keep-alive connection to AWS_LAMBDA_RUNTIME_API.
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "lambda/invocation.hpp"
#include "lambda/runtime_connection.hpp"

namespace lambda {

// How the Runtime API took a posted response or error.
enum class PostStatus {
  accepted,        // 202
  invalid_id,      // 400 InvalidRequestID: not the current invocation
  invalid_state,   // 403 InvalidStateTransition: already answered
  too_large,       // 413 RequestEntityTooLarge: the response is over the payload limit
  fatal,           // 500 or the connection failed: Lambda wants the process to exit
};

const char* to_string(PostStatus s);

class RuntimeClient {
 public:
  // The Runtime API is at "host:port" (Lambda sets AWS_LAMBDA_RUNTIME_API).
  static core::result<RuntimeClient> connect(std::string_view host_port);
  // From AWS_LAMBDA_RUNTIME_API; invalid_argument when it is unset.
  static core::result<RuntimeClient> from_env();

  // Blocks, without a timeout, until the next event. Any failure (a non-200 answer, a missing
  // request id, a broken connection) is fatal for the runtime: the caller exits.
  core::result<Invocation> next();

  // POST /runtime/invocation/{id}/response, or /error with the error JSON and the
  // Lambda-Runtime-Function-Error-Type header, as the response says.
  PostStatus post(const std::string& request_id, const InvocationResponse& response);
  // POST /runtime/init/error: start-up failed; the caller exits afterwards.
  PostStatus post_init_error(const std::string& message, const std::string& error_type);

 private:
  explicit RuntimeClient(std::unique_ptr<RuntimeConnection> c) : connection_(std::move(c)) {}
  PostStatus post_to(const std::string& target, const std::string& body,
                     const std::string& content_type, const std::string& error_type);

  std::shared_ptr<RuntimeConnection> connection_;  // shared: the client is a movable value
};

}  // namespace lambda
