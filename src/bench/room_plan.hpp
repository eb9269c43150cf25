#pragma once
// The many-rooms load's arithmetic, kept pure so it is unit-tested: which room a connection is in,
// how many members a room has, and which sends are due when every connection sends at a steady
// rate with the connections' send times spread evenly over the interval (not all at once).
#include <cstdint>
#include <utility>

namespace bench {

// Connection i is in room i % rooms (rooms >= 1).
inline std::size_t room_of(std::size_t connection, std::size_t rooms) {
  return rooms > 1 ? connection % rooms : 0;
}

// How many of `connections` are in `room`: the first connections % rooms rooms get one more.
std::size_t room_size(std::size_t room, std::size_t connections, std::size_t rooms);

// Steady pacing: send number j (0, 1, 2, ...) is made by connection j % connections at
// j * interval / connections after the phase started, so each connection sends once per interval
// and the N sends of an interval are spread evenly over it. Returns how many sends are due
// `elapsed_ns` into the phase (send 0 is due at once).
std::uint64_t sends_due(std::int64_t elapsed_ns, std::int64_t interval_ns, std::size_t connections);

}  // namespace bench
