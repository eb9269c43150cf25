#include "bench/marker.hpp"

#include <cstring>
#include <stdexcept>

namespace bench {

Marker::Marker(std::string run) : run_(std::move(run)), prefix_("~B" + run_) {
  if (run_.size() != 4) throw std::invalid_argument("marker run tag must be 4 characters");
}

std::string Marker::text(std::uint64_t seq, std::size_t payload) const {
  std::string s = prefix_;
  char digits[11];
  for (int i = 9; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + seq % 10);
    seq /= 10;
  }
  s.append(digits, 10);
  s.push_back('~');
  if (payload > s.size()) s.append(payload - s.size(), 'x');
  return s;
}

std::optional<std::uint64_t> Marker::find(std::string_view bytes) const {
  const void* hit = memmem(bytes.data(), bytes.size(), prefix_.data(), prefix_.size());
  if (!hit) return std::nullopt;
  const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(hit) - bytes.data());
  if (at + size > bytes.size() || bytes[at + size - 1] != '~') return std::nullopt;
  std::uint64_t seq = 0;
  for (std::size_t i = at + prefix_.size(); i < at + size - 1; ++i) {
    const char c = bytes[i];
    if (c < '0' || c > '9') return std::nullopt;
    seq = seq * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return seq;
}

}  // namespace bench
