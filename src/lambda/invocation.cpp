#include "lambda/invocation.hpp"

#include <boost/json.hpp>

namespace lambda {

std::chrono::milliseconds Invocation::remaining() const {
  using namespace std::chrono;
  if (deadline_ms == 0) return milliseconds::max();
  const auto now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  return milliseconds(deadline_ms - now);
}

InvocationResponse InvocationResponse::success(std::string payload, std::string content_type) {
  InvocationResponse r;
  r.payload_ = std::move(payload);
  r.content_type_ = std::move(content_type);
  return r;
}

InvocationResponse InvocationResponse::failure(std::string error_message, std::string error_type,
                                               std::vector<std::string> stack_trace) {
  InvocationResponse r;
  r.success_ = false;
  r.payload_ = error_body(error_message, error_type, stack_trace);
  r.content_type_ = "application/json";
  r.error_type_ = std::move(error_type);
  return r;
}

std::string error_body(const std::string& message, const std::string& type,
                       const std::vector<std::string>& stack_trace) {
  boost::json::array trace;
  for (const auto& line : stack_trace) trace.emplace_back(line);
  boost::json::object o;
  o["errorMessage"] = message;
  o["errorType"] = type;
  o["stackTrace"] = std::move(trace);
  return boost::json::serialize(o);
}

}  // namespace lambda
