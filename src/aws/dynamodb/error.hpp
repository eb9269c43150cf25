#pragma once
// DynamoDB's errors as a typed enum with its own category (aws-contract.md §6.5), so that callers
// tell throttling, a failed condition, a missing table and a network failure apart.
#include <boost/json/object.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace aws::dynamodb {

enum class errc {
  throttling = 1,            // ProvisionedThroughputExceeded, Throttling, RequestLimitExceeded
  conditional_check_failed,  // a ConditionExpression was false
  resource_not_found,        // no such table or index
  resource_in_use,           // CreateTable on an existing table
  validation,                // ValidationException (bad request shape or expression)
  transaction_canceled,      // TransactWriteItems canceled; see Error::cancellation_reasons
  transaction_conflict,      // TransactionConflict / TransactionInProgress / ReplicatedWriteConflict
  access_denied,             // AccessDenied, bad or missing signature
  unrecognized_client,       // UnrecognizedClientException (unknown access key)
  limit_exceeded,            // LimitExceededException, ItemCollectionSizeLimitExceeded
  serialization,             // SerializationException: the body was not what the operation takes
  unknown_operation,         // the backend lacks this operation (dynalite: transactions, TTL)
  internal_server,           // HTTP 500 InternalServerError
  service_unavailable,       // 502, 503, 504, ServiceUnavailable
  network,                   // could not connect, reset, timeout: no HTTP response at all
  crc32_mismatch,            // x-amz-crc32 did not match the body
  bad_response,              // a 200 whose body is not the JSON expected
  unprocessed_items,         // BatchWriteItem still had UnprocessedItems after every retry
  unknown,                   // any other error __type
};

const boost::system::error_category& category() noexcept;
inline boost::system::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), category()}; }

// The nearest core::errc, for code that only speaks the port's errors.
core::errc to_core(errc e);

struct CancellationReason {
  std::string code;  // "None", "ConditionalCheckFailed", "TransactionConflict", ...
  std::string message;
};

struct Error {
  boost::system::error_code code;  // dynamodb::category(); for network, also see `cause`
  std::string type;                // the __type suffix, e.g. "ConditionalCheckFailedException"
  std::string message;
  int http_status = 0;             // 0 for network errors
  bool retryable = false;          // as the SDKs' standard retry mode decides
  bool throttle = false;           // retried with the longer throttling backoff
  boost::system::error_code cause; // the transport error behind errc::network
  std::vector<CancellationReason> cancellation_reasons;
  boost::json::object details;     // e.g. the remaining UnprocessedItems
  int attempts = 1;

  bool is(errc e) const { return code == make_error_code(e); }
  std::string what() const;  // "ConditionalCheckFailedException: The conditional request failed"
};

// boost::system::result with our Error, so that messages and reasons survive.
template <class T>
using result = boost::system::result<T, Error>;

[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

// Classifies an HTTP error response: __type cut at ':' then after the last '#', message from
// "message" or "Message", retryability from the name and status.
Error error_from_response(int status, std::string_view body);
Error network_error(boost::system::error_code cause);

}  // namespace aws::dynamodb

namespace boost::system {
template <>
struct is_error_code_enum<::aws::dynamodb::errc> : std::true_type {};
}  // namespace boost::system
