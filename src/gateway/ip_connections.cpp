#include "gateway/ip_connections.hpp"

namespace gateway {

bool IpConnections::admit(std::string_view ip) {
  std::lock_guard lock(mutex_);
  auto it = open_.find(ip);
  const std::size_t n = it == open_.end() ? 0 : it->second;
  if (max_ > 0 && n >= max_) return false;
  if (it == open_.end()) it = open_.emplace(std::string(ip), 0).first;
  ++it->second;
  return true;
}

void IpConnections::release(std::string_view ip) {
  std::lock_guard lock(mutex_);
  auto it = open_.find(ip);
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);
}

std::size_t IpConnections::count(std::string_view ip) const {
  std::lock_guard lock(mutex_);
  auto it = open_.find(ip);
  return it == open_.end() ? 0 : it->second;
}

}  // namespace gateway
