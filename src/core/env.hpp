#pragma once
// Reading the process environment.
#include <cstdlib>
#include <string>

namespace core {

// The variable's value; "" when it is not set.
inline std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

}  // namespace core
