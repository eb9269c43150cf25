#pragma once
// Reading a client's frame body without trusting it.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/utf8.hpp"

namespace handlers {

// The body as a JSON object, or nullopt when it is not JSON or not an object.
std::optional<boost::json::object> parse_body(std::string_view body);

// The string member `key`, or nullopt when absent or not a string.
std::optional<std::string> string_member(const boost::json::object& o, std::string_view key);

// A member that must be a whole number in [min, max] when present.
struct IntMember {
  bool present = false;
  bool valid = true;
  std::int64_t value = 0;
};
IntMember int_member(const boost::json::object& o, std::string_view key, std::int64_t min,
                     std::int64_t max);

// Number of Unicode code points in UTF-8 text (the gateway has already rejected invalid UTF-8).
using core::code_points;

// A client's value as an error message may echo it: at most `max_bytes` of it, cut at a
// character boundary (the event must stay valid UTF-8), with "..." when cut. An echo of a huge
// value would make the error itself too large to post.
std::string shorten(std::string_view utf8, std::size_t max_bytes = 64);

}  // namespace handlers
