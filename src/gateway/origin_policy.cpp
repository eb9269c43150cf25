#include "gateway/origin_policy.hpp"

#include <boost/beast/core/string.hpp>

namespace gateway {
namespace {

std::string_view strip_slash(std::string_view s) {
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return s;
}

}  // namespace

bool origin_allowed(const std::vector<std::string>& allowed, std::string_view origin) {
  if (allowed.empty() || origin.empty()) return true;
  origin = strip_slash(origin);
  for (const auto& a : allowed)
    if (a == "*" || boost::beast::iequals(strip_slash(a), origin)) return true;
  return false;
}

}  // namespace gateway
