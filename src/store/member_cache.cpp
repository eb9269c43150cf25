#include "store/member_cache.hpp"

#include <algorithm>
#include <cctype>

namespace store {
namespace {

std::string folded(std::string_view name) {
  std::string out(name);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const std::shared_ptr<RoomMembers>& empty_list() {
  static const auto empty = std::make_shared<RoomMembers>();
  return empty;
}

}  // namespace

// A room's entry held for one call: made when missing, dropped when the last call holding it
// ends and the room is empty (a room whose last member left costs nothing; `who` on any name
// leaves nothing behind). Entries live in the map's nodes, which never move.
class MemberCache::Use {
 public:
  Use(MemberCache& cache, const std::string& name) : cache_(cache) {
    std::lock_guard lock(cache_.rooms_mutex_);
    auto [it, made] = cache_.rooms_.try_emplace(name);
    entry_ = &*it;
    if (made) {
      entry_->second.list = empty_list();
      entry_->second.stripe = RoomLocks::stripe_of(name);
      // Every write since the (empty) start went through this cache: an unseen room is empty.
      if (cache_.starts_empty_) entry_->second.loaded.store(true, std::memory_order_release);
    }
    ++entry_->second.users;
  }
  ~Use() {
    std::lock_guard lock(cache_.rooms_mutex_);
    // No other call holds the room: nobody reads or writes it until the next Use.
    if (--entry_->second.users == 0 && entry_->second.list->members.empty())
      cache_.rooms_.erase(cache_.rooms_.find(entry_->first));
  }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;

  Room& room() const { return entry_->second; }
  std::mutex& write() const { return cache_.locks_.write(entry_->second.stripe); }
  std::mutex& data() const { return cache_.locks_.data(entry_->second.stripe); }

 private:
  MemberCache& cache_;
  std::pair<const std::string, Room>* entry_;
};

std::size_t MemberCache::cached_rooms() const {
  std::lock_guard lock(rooms_mutex_);
  return rooms_.size();
}

core::result<void> MemberCache::load(const Use& use, const std::string& name) {
  Room& r = use.room();
  if (r.loaded.load(std::memory_order_acquire)) return {};
  auto rows = inner_.members(name);
  if (!rows) return rows.error();
  std::lock_guard data(use.data());
  for (const auto& m : *rows) insert(r, m);
  r.loaded.store(true, std::memory_order_release);
  return {};
}

RoomMembers& MemberCache::writable(Room& r) {
  if (r.list.use_count() > 1) {
    r.list = std::make_shared<RoomMembers>(*r.list);
  } else {
    // The last reader let go of the list (a release decrement): see its reads as finished.
    std::atomic_thread_fence(std::memory_order_acquire);
  }
  // The ids are about to change: what was resolved from the old version no longer holds.
  r.list->version = next_list_version();
  return *r.list;
}

std::size_t MemberCache::position(const Room& r, std::string_view connection_id) {
  if (r.index) {
    auto it = r.index->position.find(std::string(connection_id));
    return it == r.index->position.end() ? std::string::npos : it->second;
  }
  const auto& ids = r.list->ids;
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (ids[i] == connection_id) return i;
  return std::string::npos;
}

int MemberCache::holders(const Room& r, std::string_view name) {
  if (r.index) {
    auto it = r.index->names.find(folded(name));
    return it == r.index->names.end() ? 0 : it->second;
  }
  int n = 0;
  for (const auto& m : r.list->members) n += same_name(m.name, name) ? 1 : 0;
  return n;
}

void MemberCache::build_index(Room& r) {
  r.index = std::make_unique<Index>();
  const auto& list = *r.list;
  for (std::size_t i = 0; i < list.members.size(); ++i) {
    r.index->position.emplace(list.ids[i], i);
    ++r.index->names[folded(list.members[i].name)];
  }
}

void MemberCache::insert(Room& r, const Member& m) {
  const std::size_t at = position(r, m.connection_id);
  auto& list = writable(r);
  if (at != std::string::npos) {
    auto& row = list.members[at];
    if (r.index && !same_name(row.name, m.name)) {
      if (auto n = r.index->names.find(folded(row.name)); n != r.index->names.end() && --n->second == 0)
        r.index->names.erase(n);
      ++r.index->names[folded(m.name)];
    }
    row = m;
    return;
  }
  list.members.push_back(m);
  list.ids.push_back(m.connection_id);
  if (r.index) {
    r.index->position.emplace(m.connection_id, list.members.size() - 1);
    ++r.index->names[folded(m.name)];
  } else if (list.members.size() >= index_from) {
    build_index(r);
  }
}

void MemberCache::erase(Room& r, const std::string& connection_id) {
  const std::size_t pos = position(r, connection_id);
  if (pos == std::string::npos) return;
  auto& list = writable(r);
  const std::size_t last = list.members.size() - 1;
  if (r.index) {
    if (auto n = r.index->names.find(folded(list.members[pos].name));
        n != r.index->names.end() && --n->second == 0)
      r.index->names.erase(n);
    r.index->position.erase(connection_id);
  }
  if (pos != last) {
    list.members[pos] = std::move(list.members[last]);
    list.ids[pos] = std::move(list.ids[last]);
    if (r.index) r.index->position[list.ids[pos]] = pos;
  }
  list.members.pop_back();
  list.ids.pop_back();
}

core::result<void> MemberCache::put_member_with(
    const Member& m, const std::function<core::result<void>()>& write) {
  Use use(*this, m.room);
  std::lock_guard lock(use.write());
  if (auto w = write(); !w) return w;
  // A room never read is loaded from the store, with this row, when it is first read.
  if (use.room().loaded.load(std::memory_order_acquire)) {
    std::lock_guard data(use.data());
    insert(use.room(), m);
  }
  return {};
}

core::result<void> MemberCache::put_member(const Member& m) {
  return put_member_with(m, [&] { return inner_.put_member(m); });
}

core::result<void> MemberCache::put_connection_and_member(const Connection& c, const Member& m) {
  return put_member_with(m, [&] { return inner_.put_connection_and_member(c, m); });
}

core::result<void> MemberCache::rename(const Rename& r) {
  // Declared before the locks: the rooms are released (maybe erased) once the locks are.
  std::vector<std::unique_ptr<Use>> held;
  std::vector<std::uint8_t> stripes;
  for (const auto& m : r.members) {
    held.push_back(std::make_unique<Use>(*this, m.room));
    stripes.push_back(held.back()->room().stripe);
  }
  auto locks = locks_.write_all(std::move(stripes));
  if (auto w = inner_.rename(r); !w) return w;
  for (std::size_t i = 0; i < held.size(); ++i) {
    if (!held[i]->room().loaded.load(std::memory_order_acquire)) continue;
    std::lock_guard data(held[i]->data());
    insert(held[i]->room(), r.members[i]);
  }
  return {};
}

core::result<void> MemberCache::delete_member(const std::string& room_name,
                                              const std::string& connection_id) {
  Use use(*this, room_name);
  std::lock_guard write(use.write());
  if (auto w = inner_.delete_member(room_name, connection_id); !w) return w;
  if (use.room().loaded.load(std::memory_order_acquire)) {
    std::lock_guard data(use.data());
    erase(use.room(), connection_id);
  }
  return {};
}

core::result<RoomMembersPtr> MemberCache::room_members(const std::string& name) {
  Use use(*this, name);
  if (!use.room().loaded.load(std::memory_order_acquire)) {
    std::lock_guard write(use.write());
    if (auto l = load(use, name); !l) return l.error();
  }
  std::lock_guard data(use.data());
  return RoomMembersPtr(use.room().list);
}

core::result<std::vector<Member>> MemberCache::members(const std::string& name) {
  auto list = room_members(name);
  if (!list) return list.error();
  std::vector<Member> out = (*list)->members;
  std::sort(out.begin(), out.end(),
            [](const Member& a, const Member& b) { return a.connection_id < b.connection_id; });
  return out;
}

core::result<std::optional<Member>> MemberCache::find_member(const std::string& name,
                                                             const std::string& connection_id) {
  return find_member_in(*this, name, connection_id);
}

core::result<bool> MemberCache::name_taken(const std::string& name, std::string_view shown,
                                           std::string_view except_connection_id) {
  Use use(*this, name);
  const Room& r = use.room();
  if (!r.loaded.load(std::memory_order_acquire)) {
    std::lock_guard write(use.write());
    if (auto l = load(use, name); !l)
      return core::result<bool>(boost::system::in_place_error, l.error());
  }
  std::lock_guard data(use.data());
  int showing = holders(r, shown);
  if (showing > 0) {
    const std::size_t self = position(r, except_connection_id);
    if (self != std::string::npos && same_name(r.list->members[self].name, shown)) --showing;
  }
  return showing > 0;
}

}  // namespace store
