#include "gateway/peer_text.hpp"

#include <cstring>
#include <limits>
#include <stdexcept>

namespace gateway {
namespace {

std::uint16_t length_of(std::string_view s, const char* what) {
  if (s.size() > std::numeric_limits<std::uint16_t>::max())
    throw std::length_error(std::string(what) + " longer than 65,535 bytes");
  return static_cast<std::uint16_t>(s.size());
}

}  // namespace

PeerText::PeerText(std::string_view source_ip, std::optional<std::string_view> user_agent,
                   std::string_view domain_name)
    : ip_(length_of(source_ip, "source IP")),
      agent_(user_agent ? length_of(*user_agent, "User-Agent") : std::uint16_t{0}),
      domain_(length_of(domain_name, "domain name")),
      has_agent_(user_agent.has_value()) {
  if (size() == 0) return;
  data_ = std::make_unique_for_overwrite<char[]>(size());
  // An empty view's data() may be null, which memcpy may not be given even for 0 bytes.
  auto put = [p = data_.get()](std::size_t at, std::string_view s) {
    if (!s.empty()) std::memcpy(p + at, s.data(), s.size());
  };
  put(0, source_ip);
  if (user_agent) put(ip_, *user_agent);
  put(std::size_t{ip_} + agent_, domain_name);
}

PeerText::PeerText(const PeerText& other)
    : ip_(other.ip_), agent_(other.agent_), domain_(other.domain_), has_agent_(other.has_agent_) {
  if (!other.data_) return;
  data_ = std::make_unique_for_overwrite<char[]>(size());
  std::memcpy(data_.get(), other.data_.get(), size());
}

PeerText& PeerText::operator=(const PeerText& other) {
  if (this != &other) *this = PeerText(other);
  return *this;
}

}  // namespace gateway
