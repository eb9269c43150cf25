#include "gateway/resolved_lists.hpp"

namespace gateway {

std::shared_ptr<const ResolvedLists::Sessions> ResolvedLists::find(std::string_view room,
                                                                   std::uint64_t version) const {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  if (it == rooms_.end() || it->second.version != version) return nullptr;
  return it->second.sessions;
}

void ResolvedLists::remember(std::string_view room, std::uint64_t version,
                             std::shared_ptr<const Sessions> sessions) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  if (it == rooms_.end()) {
    if (rooms_.size() >= max_rooms) rooms_.clear();
    rooms_.emplace(std::string(room), Entry{version, std::move(sessions)});
    return;
  }
  if (it->second.version > version) return;
  it->second = Entry{version, std::move(sessions)};
}

std::size_t ResolvedLists::size() const {
  std::lock_guard lock(mutex_);
  return rooms_.size();
}

}  // namespace gateway
