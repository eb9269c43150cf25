#include "store/room_locks.hpp"

#include <algorithm>

namespace store {

std::vector<std::unique_lock<std::mutex>> RoomLocks::write_all(
    std::vector<std::uint8_t> stripes_of) {
  std::sort(stripes_of.begin(), stripes_of.end());
  stripes_of.erase(std::unique(stripes_of.begin(), stripes_of.end()), stripes_of.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(stripes_of.size());
  for (auto s : stripes_of) locks.emplace_back(write_[s]);
  return locks;
}

}  // namespace store
