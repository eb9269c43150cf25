#include "gateway/ip_connections.hpp"

namespace gateway {

bool IpConnections::admit(const std::string& ip) {
  std::lock_guard lock(mutex_);
  auto& n = open_[ip];
  if (max_ > 0 && n >= max_) {
    if (n == 0) open_.erase(ip);
    return false;
  }
  ++n;
  return true;
}

void IpConnections::release(const std::string& ip) {
  std::lock_guard lock(mutex_);
  auto it = open_.find(ip);
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);
}

std::size_t IpConnections::count(const std::string& ip) const {
  std::lock_guard lock(mutex_);
  auto it = open_.find(ip);
  return it == open_.end() ? 0 : it->second;
}

}  // namespace gateway
