#pragma once
// A hash for maps keyed by std::string that are looked up by std::string_view without building
// a string: std::unordered_map<std::string, V, core::StringHash, std::equal_to<>>.
#include <cstddef>
#include <functional>
#include <string_view>

namespace core {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace core
