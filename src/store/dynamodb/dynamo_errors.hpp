#pragma once
// From the DynamoDB client's typed errors to the Store port's core::errc, with the log line an
// operator needs (which operation, which table, what DynamoDB said).
#include <exception>
#include <string>
#include <string_view>

#include "aws/dynamodb/error.hpp"
#include "core/error.hpp"
#include "core/log.hpp"

namespace store {

// throttling (after the client's retries), network, 5xx, CRC mismatch → store_unavailable;
// ValidationException / SerializationException → invalid_argument (our request was wrong for
// this backend: logged as an error, it is a bug or a key over DynamoDB's limits);
// ResourceNotFound → store_unavailable with an error line naming the table (not created yet);
// ConditionalCheckFailed → conflict (callers that expect it handle it before this).
boost::system::error_code store_error(const aws::dynamodb::Error& e, std::string_view op,
                                      const std::string& table);

// The port promises error codes, never exceptions: what escapes the body (bad_alloc, a
// mistyped attribute read with the wrong accessor) becomes errc::internal.
template <class F>
auto guarded(std::string_view op, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    try {
      core::log::error("store exception", {{"store", "dynamodb"}, {"op", op}, {"error", e.what()}});
    } catch (...) {
    }
  } catch (...) {
  }
  return core::make_error_code(core::errc::internal);
}

}  // namespace store
