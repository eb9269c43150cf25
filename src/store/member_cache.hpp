#pragma once
// Memberships that keep each room's members in memory in front of the Store that holds them, so a
// fan-out reads a room as one shared list instead of a query, and a join checks its name
// against an index instead of every row (issue 6: the member list "is an index lookup held in
// memory; the store stays the source of truth").
//
// Only for a store this process alone writes (SQLite under `parley serve`): rows another
// process writes would never reach the cache. Writes go to the store first, then to the cache,
// each room's writes one at a time, so the cache never shows a row the store refused.
// Readers share an immutable list; a write copies it only while a reader still holds it.
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>

#include "store/derived.hpp"
#include "store/room_locks.hpp"
#include "store/store.hpp"

namespace store {

// The Memberships port only: connection rows, messages and connection_view (which reads a
// connection's rooms, never a room's members) pass by it untouched (with_members()).
class MemberCache final : public Memberships {
 public:
  // `starts_empty`: the store holds no member row yet (`parley serve` clears them at start), so
  // a room the cache has not seen is known to be empty and is never read from the store.
  explicit MemberCache(Memberships& inner, bool starts_empty = false)
      : inner_(inner), starts_empty_(starts_empty) {}

  core::result<void> put_member(const Member& m) override;
  core::result<void> put_connection_and_member(const Connection& c, const Member& m) override;
  // Holds the write locks of every room it renames in (in RoomLocks' order: no two renames
  // wait on each other), so the cache shows the whole rename or none of it, as the store does.
  core::result<void> rename(const Rename& r) override;
  core::result<void> delete_member(const std::string& room,
                                   const std::string& connection_id) override;
  core::result<std::vector<Member>> members(const std::string& room) override;
  core::result<RoomMembersPtr> room_members(const std::string& room) override;
  core::result<bool> name_taken(const std::string& room, std::string_view name,
                                std::string_view except_connection_id) override;
  // From the list in memory (find_member_in): no store read.
  core::result<std::optional<Member>> find_member(const std::string& room,
                                                  const std::string& connection_id) override;
  // A connection's rooms are not kept here: read from the store.
  core::result<std::vector<Member>> memberships(const std::string& id) override {
    return inner_.memberships(id);
  }

  // Rooms held in memory (rooms with members that were read or written since the start).
  std::size_t cached_rooms() const;

  // Bytes of one room's entry in the rooms map, its node with the key and its bookkeeping
  // (issue 18: a connection in a room of its own pays this besides its member row).
  static constexpr std::size_t room_entry_bytes();

 private:
  // Lookups in a room of this many members or more go through hash indexes; smaller rooms
  // (most rooms, and every DM-sized one) are scanned and cost no index memory.
  static constexpr std::size_t index_from = 32;
  struct Index {
    std::unordered_map<std::string, std::size_t> position;  // connection id -> place in list
    std::unordered_map<std::string, int> names;             // lower-cased name -> its holders
  };
  // A room's state, in the map's node itself. Its locks are shared with other rooms
  // (RoomLocks): two mutexes of its own cost more than the rest of the entry (issue 18).
  struct Room {
    // The shared empty list until the first member: the first write copies it (writable()).
    std::shared_ptr<RoomMembers> list;
    std::unique_ptr<Index> index;     // from index_from members on
    std::uint32_t users = 0;          // calls holding the entry (a Use); under rooms_mutex_
    std::uint8_t stripe = 0;          // its locks in RoomLocks
    std::atomic<bool> loaded{false};  // set under both locks
  };
  class Use;

  // With the room's write lock held: reads the room from the store once.
  core::result<void> load(const Use& use, const std::string& name);
  // With the room's data lock held: the list to change, copied first if a reader still holds it.
  static RoomMembers& writable(Room& r);
  static void insert(Room& r, const Member& m);
  // Runs `write` (which stores `m`, maybe with more) under the room's write lock, then puts `m`
  // in the room's list if the list is loaded.
  core::result<void> put_member_with(const Member& m,
                                     const std::function<core::result<void>()>& write);
  static void erase(Room& r, const std::string& connection_id);
  // With the room's data lock held: where `connection_id` is in the list (npos: absent), and
  // how many members show `name`.
  static std::size_t position(const Room& r, std::string_view connection_id);
  static int holders(const Room& r, std::string_view name);
  static void build_index(Room& r);

  Memberships& inner_;
  const bool starts_empty_;
  RoomLocks locks_;
  mutable std::mutex rooms_mutex_;  // taken last: nothing is locked while it is held
  std::unordered_map<std::string, Room> rooms_;
};

constexpr std::size_t MemberCache::room_entry_bytes() {
  // libstdc++'s node: next pointer, the key and value, the cached hash.
  return sizeof(void*) + sizeof(std::pair<const std::string, Room>) + sizeof(std::size_t);
}

}  // namespace store
