#pragma once
// The value types of the Lambda Runtime API (aws-contract.md §5): one invocation as
// GET /runtime/invocation/next hands it over, and what the function answers.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace lambda {

// One event, with the Lambda-Runtime-* headers that came with it.
struct Invocation {
  std::string request_id;        // Lambda-Runtime-Aws-Request-Id
  std::int64_t deadline_ms = 0;  // Lambda-Runtime-Deadline-Ms, epoch ms; 0 = none given
  std::string function_arn;      // Lambda-Runtime-Invoked-Function-Arn
  std::string trace_id;          // Lambda-Runtime-Trace-Id (X-Ray)
  std::string client_context;    // Lambda-Runtime-Client-Context (mobile SDKs only)
  std::string cognito_identity;  // Lambda-Runtime-Cognito-Identity (mobile SDKs only)
  std::string payload;           // the event JSON

  // Time left before the deadline (negative when past); max() when there is no deadline.
  std::chrono::milliseconds remaining() const;
};

// What a handler returns: a payload for /response, or an error for /error.
class InvocationResponse {
 public:
  static InvocationResponse success(std::string payload,
                                    std::string content_type = "application/json");
  // error_type is both the body's errorType and the Lambda-Runtime-Function-Error-Type header.
  static InvocationResponse failure(std::string error_message, std::string error_type,
                                    std::vector<std::string> stack_trace = {});

  bool is_success() const { return success_; }
  // The response body, or the error JSON {errorMessage, errorType, stackTrace}.
  const std::string& payload() const { return payload_; }
  const std::string& content_type() const { return content_type_; }
  const std::string& error_type() const { return error_type_; }

 private:
  bool success_ = true;
  std::string payload_;
  std::string content_type_;
  std::string error_type_;
};

// {"errorMessage": ..., "errorType": ..., "stackTrace": [...]}: the body of /error and
// /init/error, the three keys aws-lambda-cpp and the managed runtimes send.
std::string error_body(const std::string& message, const std::string& type,
                       const std::vector<std::string>& stack_trace = {});

}  // namespace lambda
