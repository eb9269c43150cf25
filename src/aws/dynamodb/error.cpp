#include "aws/dynamodb/error.hpp"

#include <boost/beast/core/error.hpp>
#include <boost/json/parse.hpp>
#include <stdexcept>

namespace aws::dynamodb {
namespace json = boost::json;
namespace {

class category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "dynamodb"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::throttling: return "throttled";
      case errc::conditional_check_failed: return "conditional check failed";
      case errc::resource_not_found: return "resource not found";
      case errc::resource_in_use: return "resource in use";
      case errc::validation: return "validation error";
      case errc::transaction_canceled: return "transaction canceled";
      case errc::transaction_conflict: return "transaction conflict";
      case errc::access_denied: return "access denied";
      case errc::unrecognized_client: return "unrecognized client";
      case errc::limit_exceeded: return "limit exceeded";
      case errc::serialization: return "serialization error";
      case errc::unknown_operation: return "unknown operation";
      case errc::internal_server: return "internal server error";
      case errc::service_unavailable: return "service unavailable";
      case errc::network: return "network error";
      case errc::crc32_mismatch: return "response CRC32 mismatch";
      case errc::bad_response: return "malformed response";
      case errc::unprocessed_items: return "unprocessed items remain";
      case errc::unknown: return "unknown DynamoDB error";
    }
    return "unknown DynamoDB error";
  }
};

struct Rule {
  std::string_view type;
  errc code;
  bool retryable;
  bool throttle;
};

// §6.5, plus botocore's DynamoDB retry policy for the transaction errors.
constexpr Rule rules[] = {
    {"ProvisionedThroughputExceededException", errc::throttling, true, true},
    {"ThrottlingException", errc::throttling, true, true},
    {"RequestLimitExceeded", errc::throttling, true, true},
    {"LimitExceededException", errc::limit_exceeded, true, true},
    {"ItemCollectionSizeLimitExceededException", errc::limit_exceeded, true, false},
    {"TransactionInProgressException", errc::transaction_conflict, true, false},
    {"ReplicatedWriteConflictException", errc::transaction_conflict, true, false},
    {"TransactionConflictException", errc::transaction_conflict, false, false},
    {"InternalServerError", errc::internal_server, true, false},
    {"ServiceUnavailable", errc::service_unavailable, true, false},
    // AWS lists it as retryable; it is usually a wrong key, and max_attempts caps it.
    {"UnrecognizedClientException", errc::unrecognized_client, true, false},
    {"ConditionalCheckFailedException", errc::conditional_check_failed, false, false},
    {"ValidationException", errc::validation, false, false},
    {"ResourceNotFoundException", errc::resource_not_found, false, false},
    {"ResourceInUseException", errc::resource_in_use, false, false},
    {"AccessDeniedException", errc::access_denied, false, false},
    {"MissingAuthenticationTokenException", errc::access_denied, false, false},
    {"IncompleteSignatureException", errc::access_denied, false, false},
    {"InvalidSignatureException", errc::access_denied, false, false},
    {"SerializationException", errc::serialization, false, false},
    {"UnknownOperationException", errc::unknown_operation, false, false},
    {"TransactionCanceledException", errc::transaction_canceled, false, false},
};

std::string string_field(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}

}  // namespace

const boost::system::error_category& category() noexcept {
  static const category_impl instance;
  return instance;
}

core::errc to_core(errc e) {
  switch (e) {
    case errc::conditional_check_failed:
    case errc::transaction_canceled:
    case errc::transaction_conflict:
    case errc::resource_in_use: return core::errc::conflict;
    case errc::resource_not_found: return core::errc::not_found;
    case errc::throttling:
    case errc::limit_exceeded: return core::errc::limit_exceeded;
    case errc::validation:
    case errc::serialization: return core::errc::invalid_argument;
    case errc::access_denied:
    case errc::unrecognized_client: return core::errc::forbidden;
    default: return core::errc::store_unavailable;
  }
}

std::string Error::what() const {
  std::string s = type.empty() ? code.message() : type;
  if (!message.empty()) s += ": " + message;
  if (cause) s += " (" + cause.message() + ")";
  return s;
}

void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw std::runtime_error("DynamoDB: " + e.what());
}

Error error_from_response(int status, std::string_view body) {
  Error e;
  e.http_status = status;
  json::object o;
  boost::system::error_code pec;
  auto v = json::parse(body, pec);
  if (!pec && v.is_object()) o = std::move(v.as_object());
  std::string type = string_field(o, "__type");
  // "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException" (maybe ":..." appended)
  if (auto colon = type.find(':'); colon != std::string::npos) type.resize(colon);
  if (auto hash = type.rfind('#'); hash != std::string::npos) type.erase(0, hash + 1);
  e.type = type;
  e.message = string_field(o, "message");
  if (e.message.empty()) e.message = string_field(o, "Message");

  e.code = status >= 500 ? errc::internal_server : errc::unknown;
  e.retryable = status >= 500;
  if (status == 502 || status == 503 || status == 504) e.code = errc::service_unavailable;
  for (const auto& r : rules) {
    if (r.type == type) {
      e.code = r.code, e.retryable = r.retryable, e.throttle = r.throttle;
      break;
    }
  }
  if (auto it = o.find("CancellationReasons"); it != o.end() && it->value().is_array()) {
    for (const auto& r : it->value().as_array()) {
      if (!r.is_object()) continue;
      e.cancellation_reasons.push_back({string_field(r.as_object(), "Code"), string_field(r.as_object(), "Message")});
    }
  }
  return e;
}

Error network_error(boost::system::error_code cause) {
  Error e;
  e.code = errc::network;
  e.cause = cause;
  e.retryable = true;
  e.message = cause.message();
  return e;
}

}  // namespace aws::dynamodb
