#include "lambda/runtime_client.hpp"

#include <cctype>
#include <charconv>
#include <cstdlib>

#include "core/log.hpp"

namespace lambda {
namespace {

constexpr std::string_view kPrefix = "/2018-06-01/runtime";

// Request ids are UUIDs on AWS; anything else is percent-encoded before it goes in a path.
std::string path_segment(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

PostStatus status_of(int http_status) {
  switch (http_status) {
    case 200:
    case 202: return PostStatus::accepted;
    case 400: return PostStatus::invalid_id;
    case 403: return PostStatus::invalid_state;
    case 413: return PostStatus::too_large;
    default: return PostStatus::fatal;
  }
}

}  // namespace

const char* to_string(PostStatus s) {
  switch (s) {
    case PostStatus::accepted: return "accepted";
    case PostStatus::invalid_id: return "invalid_id";
    case PostStatus::invalid_state: return "invalid_state";
    case PostStatus::too_large: return "too_large";
    case PostStatus::fatal: return "fatal";
  }
  return "?";
}

core::result<RuntimeClient> RuntimeClient::connect(std::string_view host_port) {
  auto c = RuntimeConnection::open(host_port);
  if (!c) return c.error();
  return RuntimeClient(std::move(*c));
}

core::result<RuntimeClient> RuntimeClient::from_env() {
  const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (!api || !*api) return core::make_error_code(core::errc::invalid_argument);
  return connect(api);
}

core::result<Invocation> RuntimeClient::next() {
  auto reply = connection_->request("GET", std::string(kPrefix) + "/invocation/next");
  if (!reply) return reply.error();
  if (reply->status != 200) {
    core::log::error("runtime api: next failed",
                     {{"status", reply->status}, {"body", reply->body}});
    return core::make_error_code(core::errc::internal);
  }
  Invocation inv;
  inv.request_id = reply->header("Lambda-Runtime-Aws-Request-Id");
  if (inv.request_id.empty()) {
    core::log::error("runtime api: next without Lambda-Runtime-Aws-Request-Id");
    return core::make_error_code(core::errc::internal);
  }
  const auto deadline = reply->header("Lambda-Runtime-Deadline-Ms");
  std::from_chars(deadline.data(), deadline.data() + deadline.size(), inv.deadline_ms);
  inv.function_arn = reply->header("Lambda-Runtime-Invoked-Function-Arn");
  inv.trace_id = reply->header("Lambda-Runtime-Trace-Id");
  inv.client_context = reply->header("Lambda-Runtime-Client-Context");
  inv.cognito_identity = reply->header("Lambda-Runtime-Cognito-Identity");
  inv.payload = std::move(reply->body);
  return inv;
}

PostStatus RuntimeClient::post(const std::string& request_id, const InvocationResponse& r) {
  const std::string base = std::string(kPrefix) + "/invocation/" + path_segment(request_id);
  if (r.is_success()) return post_to(base + "/response", r.payload(), r.content_type(), "");
  return post_to(base + "/error", r.payload(), r.content_type(), r.error_type());
}

PostStatus RuntimeClient::post_init_error(const std::string& message,
                                          const std::string& error_type) {
  return post_to(std::string(kPrefix) + "/init/error", error_body(message, error_type),
                 "application/json", error_type);
}

PostStatus RuntimeClient::post_to(const std::string& target, const std::string& body,
                                  const std::string& content_type,
                                  const std::string& error_type) {
  auto reply = error_type.empty()
                   ? connection_->request("POST", target, body,
                                          {{"Content-Type", content_type}})
                   : connection_->request("POST", target, body,
                                          {{"Content-Type", content_type},
                                           {"Lambda-Runtime-Function-Error-Type", error_type}});
  if (!reply) {
    core::log::error("runtime api: post failed",
                     {{"target", target}, {"error", reply.error().message()}});
    return PostStatus::fatal;
  }
  const auto s = status_of(reply->status);
  if (s != PostStatus::accepted)
    core::log::warn("runtime api: post refused",
                    {{"target", target}, {"status", reply->status}, {"body", reply->body}});
  return s;
}

}  // namespace lambda
