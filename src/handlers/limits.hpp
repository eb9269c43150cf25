#pragma once
// What one connection may make the handlers do: caps an operator sets (`parley serve` flags; a
// Lambda function's environment variables), so one client cannot cause unbounded work.
#include <cstddef>

namespace handlers {

struct Limits {
  // Rooms one connection may be in at once; 0: no cap. Every room costs a member row, a share
  // of each fan-out, a history at `hello` and a presence event per rename.
  std::size_t max_rooms = 100;
};

// Limits from the environment of a Lambda function: MAX_ROOMS_PER_CONNECTION (a whole number;
// unset or malformed keeps the default).
Limits limits_from_env();

}  // namespace handlers
