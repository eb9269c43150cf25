#pragma once
// Open WebSocket connections per source IP, for --max-connections-per-ip: a handshake over the
// cap is refused with 429 before $connect runs. Thread-safe.
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/string_hash.hpp"

namespace gateway {

class IpConnections {
 public:
  explicit IpConnections(std::size_t max_per_ip) : max_(max_per_ip) {}
  // Counts one more connection from `ip`; false (nothing counted) when it has `max` already.
  // max 0: no cap.
  bool admit(std::string_view ip);
  void release(std::string_view ip);
  std::size_t count(std::string_view ip) const;

 private:
  std::size_t max_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::size_t, core::StringHash, std::equal_to<>> open_;
};

}  // namespace gateway
