#include "store/store.hpp"

#include <atomic>

#include <algorithm>
#include <cctype>

namespace store {

const Member* RoomMembers::find(std::string_view connection_id) const {
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (ids[i] == connection_id) return &members[i];
  return nullptr;
}

std::uint64_t next_list_version() {
  static std::atomic<std::uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace store
