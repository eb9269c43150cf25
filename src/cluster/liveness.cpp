#include "cluster/liveness.hpp"

#include <mutex>

#include "core/clock.hpp"

namespace cluster {

Liveness::Liveness(std::string self, std::int64_t started_at)
    : self_(std::move(self)), started_at_(started_at) {}

void Liveness::update(const std::vector<store::Node>& nodes, std::chrono::steady_clock::time_point at,
                      std::int64_t read_ms) {
  if (read_ms == 0) read_ms = core::now_ms();
  std::map<std::string, store::Node, std::less<>> fresh;
  for (const auto& n : nodes) fresh[n.endpoint] = n;
  std::unique_lock lock(mutex_);
  for (const auto& [endpoint, n] : fresh) {
    auto& seen = seen_[endpoint];
    if (seen.gone || seen.since == std::chrono::steady_clock::time_point{} || seen.expires_at != n.expires_at ||
        seen.started_at != n.started_at)
      seen = {n.expires_at, n.started_at, at, false};  // it beat (or appeared) since last time
  }
  for (auto it = seen_.begin(); it != seen_.end();) {
    if (fresh.count(it->first)) { ++it; continue; }
    if (!it->second.gone) it->second = {0, 0, at, true};  // swept, or left: nothing in flight there
    // Forgotten an hour after it went (bounded); a claim of it is long past its lease by then.
    if (at - it->second.since > std::chrono::hours(1)) it = seen_.erase(it);
    else ++it;
  }
  nodes_ = std::move(fresh);
  read_ms_ = std::max(read_ms_, read_ms);
}

bool Liveness::silent(const std::string& gateway, std::chrono::steady_clock::duration ttl,
                      std::chrono::steady_clock::time_point now) const {
  if (gateway.empty() || gateway == self_) return false;
  std::shared_lock lock(mutex_);
  auto it = seen_.find(gateway);
  if (it == seen_.end()) return false;
  return it->second.gone || now - it->second.since > ttl;
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
  // A row its node wrote after the expiry this view knows is a new run's (the node fenced and
  // rejoined; this view has not read its new row yet): alive. Both times are that node's clock.
  if (row_time < it->second.started_at) return true;
  return it->second.expires_at < judged_at(now) && row_time <= it->second.expires_at;
}

bool Liveness::node_dead(const std::string& gateway, std::int64_t now) const {
  if (gateway.empty() || gateway == self_) return false;
  std::shared_lock lock(mutex_);
  auto it = nodes_.find(gateway);
  return it != nodes_.end() && it->second.expires_at < judged_at(now);
}

}  // namespace cluster
