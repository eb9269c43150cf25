#include "bench/room_plan.hpp"

namespace bench {

std::size_t room_size(std::size_t room, std::size_t connections, std::size_t rooms) {
  if (rooms <= 1) return room == 0 ? connections : 0;
  if (room >= rooms) return 0;
  return connections / rooms + (room < connections % rooms ? 1 : 0);
}

std::uint64_t sends_due(std::int64_t elapsed_ns, std::int64_t interval_ns, std::size_t connections) {
  if (elapsed_ns < 0 || interval_ns <= 0 || connections == 0) return 0;
  // elapsed * N / interval without the product: 10^4 connections times hours of nanoseconds
  // overflows 64 bits; the remainder (< interval, at most an hour) times N (<= 10^6) does not.
  const auto e = static_cast<std::uint64_t>(elapsed_ns), i = static_cast<std::uint64_t>(interval_ns);
  return e / i * connections + e % i * connections / i + 1;
}

}  // namespace bench
