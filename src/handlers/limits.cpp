#include "handlers/limits.hpp"

#include <charconv>
#include <cstdlib>
#include <string_view>

namespace handlers {

Limits limits_from_env() {
  Limits l;
  if (const char* v = std::getenv("MAX_ROOMS_PER_CONNECTION")) {
    const std::string_view s(v);
    std::size_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc{} && end == s.data() + s.size()) l.max_rooms = n;
  }
  return l;
}

}  // namespace handlers
