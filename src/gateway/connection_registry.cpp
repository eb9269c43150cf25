#include "gateway/connection_registry.hpp"

#include <cstdint>
#include <cstring>
#include <functional>

namespace gateway {

std::size_t ConnectionRegistry::IdHash::operator()(std::string_view id) const {
  if (id.size() < 8) return std::hash<std::string_view>{}(id);
  std::uint64_t a = 0, b = 0;
  std::memcpy(&a, id.data(), 8);
  std::memcpy(&b, id.data() + id.size() - 8, 8);
  std::uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull;
  return static_cast<std::size_t>(h ^ (h >> 31));
}

namespace {
// The shard from the hash's top bits; the map's buckets use it modulo a prime.
std::size_t shard_index(std::size_t h, std::size_t shards) { return (h >> 40) % shards; }
}  // namespace

ConnectionRegistry::Shard& ConnectionRegistry::shard_for(std::string_view id) const {
  return shards_[shard_index(IdHash{}(id), shard_count)];
}

void ConnectionRegistry::add(std::shared_ptr<Session> s) {
  auto& shard = shard_for(s->id());
  std::lock_guard lock(shard.mutex);
  // A session of the same id is replaced with its key: the key is a view of the old one's id.
  shard.sessions.erase(s->id());
  const std::string_view key = s->id();
  shard.sessions.emplace(key, std::move(s));
}

void ConnectionRegistry::remove(const std::string& id) {
  auto& shard = shard_for(id);
  std::lock_guard lock(shard.mutex);
  shard.sessions.erase(id);
}

std::shared_ptr<Session> ConnectionRegistry::find(const std::string& id) const {
  auto& shard = shard_for(id);
  std::lock_guard lock(shard.mutex);
  auto it = shard.sessions.find(id);
  return it == shard.sessions.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Session>> ConnectionRegistry::find_many(
    std::span<const std::string> ids) const {
  std::vector<std::shared_ptr<Session>> out(ids.size());
  // The ids of each shard, in one array ordered by shard (a counting sort).
  std::array<std::uint32_t, shard_count + 1> start{};
  std::vector<std::uint8_t> shard_of(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    shard_of[i] = static_cast<std::uint8_t>(shard_index(IdHash{}(ids[i]), shard_count));
    ++start[shard_of[i] + 1];
  }
  for (std::size_t s = 0; s < shard_count; ++s) start[s + 1] += start[s];
  std::vector<std::uint32_t> order(ids.size());
  auto next = start;
  for (std::size_t i = 0; i < ids.size(); ++i) order[next[shard_of[i]]++] = static_cast<std::uint32_t>(i);
  for (std::size_t s = 0; s < shard_count; ++s) {
    if (start[s] == start[s + 1]) continue;
    std::lock_guard lock(shards_[s].mutex);
    for (auto k = start[s]; k < start[s + 1]; ++k) {
      const auto i = order[k];
      auto it = shards_[s].sessions.find(ids[i]);
      if (it != shards_[s].sessions.end()) out[i] = it->second;
    }
  }
  return out;
}

std::vector<std::shared_ptr<Session>> ConnectionRegistry::all() const {
  std::vector<std::shared_ptr<Session>> out;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    for (const auto& [_, s] : shard.sessions) out.push_back(s);
  }
  return out;
}

std::size_t ConnectionRegistry::size() const {
  std::size_t n = 0;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    n += shard.sessions.size();
  }
  return n;
}

}  // namespace gateway
