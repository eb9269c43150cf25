#pragma once
// The locks of MemberCache's rooms, shared by rooms instead of two mutexes per room (80 bytes,
// more than the rest of a room's entry: issue 18, docs/performance-notes.md). Room i takes
// stripe hash(name) mod `stripes`: two rooms that share one wait on each other now and then,
// never for longer than one room's store write (write) or one list copy (data).
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>
#include <vector>

namespace store {

class RoomLocks {
 public:
  static constexpr std::size_t stripes = 128;  // at most 256: a stripe fits a byte

  static std::uint8_t stripe_of(std::string_view room) {
    return static_cast<std::uint8_t>(std::hash<std::string_view>{}(room) % stripes);
  }
  // One store write (or the load) of the stripe's rooms at a time.
  std::mutex& write(std::uint8_t stripe) { return write_[stripe]; }
  // Guards the stripe's rooms' lists, indexes and `loaded`.
  std::mutex& data(std::uint8_t stripe) { return data_[stripe]; }

  // The write locks of several rooms' stripes, each once, in stripe order: two callers never
  // wait on each other.
  std::vector<std::unique_lock<std::mutex>> write_all(std::vector<std::uint8_t> stripes_of);

 private:
  std::array<std::mutex, stripes> write_;
  std::array<std::mutex, stripes> data_;
};

}  // namespace store
