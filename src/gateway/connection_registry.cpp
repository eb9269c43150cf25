#include "gateway/connection_registry.hpp"

#include <functional>

namespace gateway {

ConnectionRegistry::Shard& ConnectionRegistry::shard_for(const std::string& id) const {
  return shards_[std::hash<std::string>{}(id) % shard_count];
}

void ConnectionRegistry::add(std::shared_ptr<Session> s) {
  auto& shard = shard_for(s->id());
  std::lock_guard lock(shard.mutex);
  shard.sessions[s->id()] = std::move(s);
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
    shard_of[i] = static_cast<std::uint8_t>(std::hash<std::string>{}(ids[i]) % shard_count);
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
