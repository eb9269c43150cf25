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
