#pragma once
// What LocalConnections found rooms' member lists to be: per room, the version of its list it
// resolved (apigw::Recipients::version) and that list's sessions, held weakly (a closed one is
// gone). A fan-out to a list seen before locks each session instead of looking its id up: at
// 1,000 members that took the handler threads from 32 % to 21 % of the server's CPU
// (docs/performance-notes.md). The list's owner (store::MemberCache) gives every changed list
// a new version, so an entry is either current or never matched again.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/string_hash.hpp"
#include "gateway/session.hpp"

namespace gateway {

class ResolvedLists {
 public:
  using Sessions = std::vector<std::weak_ptr<Session>>;

  // Rooms remembered at most; past it every entry is dropped (the next fan-out to each room
  // resolves it again). Bounds the memory kept for rooms nobody posts to any more.
  static constexpr std::size_t max_rooms = 16384;

  // The sessions of `room`'s list at `version`, or nullptr when that version is not known.
  std::shared_ptr<const Sessions> find(std::string_view room, std::uint64_t version) const;
  // Keeps them, unless a later version of the room's list is kept already (a fan-out reading
  // an older snapshot finishes after one reading a newer).
  void remember(std::string_view room, std::uint64_t version, std::shared_ptr<const Sessions> sessions);
  std::size_t size() const;

 private:
  struct Entry {
    std::uint64_t version = 0;
    std::shared_ptr<const Sessions> sessions;
  };
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry, core::StringHash, std::equal_to<>> rooms_;  // by view
};

}  // namespace gateway
