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

}  // namespace

std::shared_ptr<MemberCache::Room> MemberCache::room(const std::string& name) {
  std::lock_guard lock(rooms_mutex_);
  auto& r = rooms_[name];
  if (!r) {
    r = std::make_shared<Room>();
    // Every write since the (empty) start went through this cache: an unseen room is empty.
    if (starts_empty_) r->loaded.store(true, std::memory_order_release);
  }
  return r;
}

std::size_t MemberCache::cached_rooms() const {
  std::lock_guard lock(rooms_mutex_);
  return rooms_.size();
}

core::result<void> MemberCache::load(Room& r, const std::string& name) {
  if (r.loaded.load(std::memory_order_acquire)) return {};
  auto rows = inner_.members(name);
  if (!rows) return rows.error();
  std::lock_guard data(r.data);
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
  auto r = room(m.room);
  std::lock_guard lock(r->write);
  if (auto w = write(); !w) return w;
  // A room never read is loaded from the store, with this row, when it is first read.
  if (r->loaded.load(std::memory_order_acquire)) {
    std::lock_guard data(r->data);
    insert(*r, m);
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
  std::vector<std::pair<std::string, const Member*>> order;
  for (const auto& m : r.members) order.emplace_back(m.room, &m);
  std::sort(order.begin(), order.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::shared_ptr<Room>> held;
  std::vector<std::unique_lock<std::mutex>> locks;
  for (const auto& [name, _] : order) {
    held.push_back(room(name));
    locks.emplace_back(held.back()->write);
  }
  if (auto w = inner_.rename(r); !w) return w;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (!held[i]->loaded.load(std::memory_order_acquire)) continue;
    std::lock_guard data(held[i]->data);
    insert(*held[i], *order[i].second);
  }
  return {};
}

core::result<void> MemberCache::delete_member(const std::string& room_name,
                                              const std::string& connection_id) {
  {
    auto r = room(room_name);
    std::lock_guard write(r->write);
    if (auto w = inner_.delete_member(room_name, connection_id); !w) return w;
    if (r->loaded.load(std::memory_order_acquire)) {
      std::lock_guard data(r->data);
      erase(*r, connection_id);
    }
  }
  release_if_empty(room_name);
  return {};
}

void MemberCache::release_if_empty(const std::string& name) {
  std::lock_guard lock(rooms_mutex_);
  auto it = rooms_.find(name);
  // use_count 1: only the map holds it, so nobody is between room() and their update.
  if (it == rooms_.end() || it->second.use_count() != 1) return;
  std::lock_guard data(it->second->data);
  if (it->second->list->members.empty()) rooms_.erase(it);
}

core::result<RoomMembersPtr> MemberCache::room_members(const std::string& name) {
  RoomMembersPtr out;
  {
    auto r = room(name);
    if (!r->loaded.load(std::memory_order_acquire)) {
      std::lock_guard write(r->write);
      if (auto l = load(*r, name); !l) return l.error();
    }
    std::lock_guard data(r->data);
    out = r->list;
  }
  // Reading a room nobody is in (`who` on any name) must not leave an entry behind.
  if (out->members.empty()) release_if_empty(name);
  return out;
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
  int showing = 0;
  bool empty = false;
  {
    auto r = room(name);
    if (!r->loaded.load(std::memory_order_acquire)) {
      std::lock_guard write(r->write);
      if (auto l = load(*r, name); !l)
        return core::result<bool>(boost::system::in_place_error, l.error());
    }
    std::lock_guard data(r->data);
    empty = r->list->members.empty();
    showing = holders(*r, shown);
    if (showing > 0) {
      const std::size_t self = position(*r, except_connection_id);
      if (self != std::string::npos && same_name(r->list->members[self].name, shown)) --showing;
    }
  }
  if (empty) release_if_empty(name);
  return showing > 0;
}

}  // namespace store
