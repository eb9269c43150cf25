#include "handlers/body.hpp"

#include <cmath>

#include <boost/json/parse.hpp>

namespace handlers {

std::optional<boost::json::object> parse_body(std::string_view body) {
  boost::system::error_code ec;
  // Bounded depth: a hostile frame of nested brackets must not exhaust the stack.
  boost::json::parse_options opts;
  opts.max_depth = 32;
  boost::json::value v = boost::json::parse(body, ec, {}, opts);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

std::optional<std::string> string_member(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().get_string());
}

IntMember int_member(const boost::json::object& o, std::string_view key, std::int64_t min,
                     std::int64_t max) {
  IntMember r;
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return r;
  r.present = true;
  const auto& v = it->value();
  if (v.is_int64()) {
    r.value = v.get_int64();
  } else if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(max)) {
    r.value = static_cast<std::int64_t>(v.get_uint64());
  } else if (v.is_double() && std::floor(v.get_double()) == v.get_double() &&
             std::abs(v.get_double()) < 9e15) {
    r.value = static_cast<std::int64_t>(v.get_double());
  } else {
    r.valid = false;
    return r;
  }
  r.valid = r.value >= min && r.value <= max;
  return r;
}

std::string shorten(std::string_view utf8, std::size_t max_bytes) {
  if (utf8.size() <= max_bytes) return std::string(utf8);
  return std::string(core::utf8_prefix(utf8, max_bytes)) + "...";
}

}  // namespace handlers
