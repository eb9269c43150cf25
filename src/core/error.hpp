#pragma once
// Parley's own error codes and the result<T> type used at every port boundary.
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <system_error>

namespace core {

enum class errc {
  ok = 0,
  not_found = 1,         // the key does not exist
  gone = 2,              // the connection is closed or unknown (HTTP 410)
  payload_too_large = 3, // over a size limit (HTTP 413)
  limit_exceeded = 4,    // throttled or a buffer is full (HTTP 429)
  invalid_argument = 5,  // the caller sent something malformed
  conflict = 6,          // a condition on a write failed
  store_unavailable = 7, // the store cannot be reached or failed
  forbidden = 8,         // the caller is not allowed (HTTP 403)
  internal = 9,          // a bug or an unexpected failure
};

const boost::system::error_category& category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), category()};
}

template <class T>
using result = boost::system::result<T>;

}  // namespace core

namespace boost::system {
template <>
struct is_error_code_enum<::core::errc> : std::true_type {};
}  // namespace boost::system
