#pragma once
// The browser client (web/), embedded in the executable at build time.
#include <span>
#include <string_view>

namespace web {

struct Asset {
  std::string_view path;          // "/index.html"
  std::string_view content_type;
  std::string_view bytes;
};

std::span<const Asset> assets();

}  // namespace web
