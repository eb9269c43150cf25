#include "cluster/liveness.hpp"

#include <mutex>

namespace cluster {

Liveness::Liveness(std::string self, std::int64_t started_at)
    : self_(std::move(self)), started_at_(started_at) {}

void Liveness::update(const std::vector<store::Node>& nodes) {
  std::map<std::string, store::Node, std::less<>> fresh;
  for (const auto& n : nodes) fresh[n.endpoint] = n;
  std::unique_lock lock(mutex_);
  nodes_ = std::move(fresh);
}

std::vector<store::Node> Liveness::snapshot() const {
  std::shared_lock lock(mutex_);
  std::vector<store::Node> out;
  out.reserve(nodes_.size());
  for (const auto& [endpoint, n] : nodes_) out.push_back(n);
  return out;
}

bool Liveness::dead(const std::string& gateway, std::int64_t row_time, std::int64_t now) const {
  if (gateway.empty()) return false;
  if (gateway == self_) return row_time < started_at_.load();  // a previous run's row
  std::shared_lock lock(mutex_);
  auto it = nodes_.find(gateway);
  if (it == nodes_.end()) return false;
  return it->second.expires_at < now || row_time < it->second.started_at;
}

bool Liveness::node_dead(const std::string& gateway, std::int64_t now) const {
  if (gateway.empty() || gateway == self_) return false;
  std::shared_lock lock(mutex_);
  auto it = nodes_.find(gateway);
  return it != nodes_.end() && it->second.expires_at < now;
}

}  // namespace cluster
