#pragma once
// What a connection's upgrade request said about its peer, kept for its events and for the
// management API: the source IP, the User-Agent (absent, or present and maybe empty) and the
// domain name (the Host header, or --domain-name). One block of exactly their size (issue 18):
// three std::strings and an optional cost a session 104 bytes, this 16, and a browser's user
// agent is no longer an allocation of its own.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace gateway {

class PeerText {
 public:
  PeerText() = default;
  // Each string at most 65,535 bytes (an upgrade request's headers are capped at 16 KiB);
  // longer throws std::length_error.
  PeerText(std::string_view source_ip, std::optional<std::string_view> user_agent,
           std::string_view domain_name);
  PeerText(const PeerText& other);
  PeerText& operator=(const PeerText& other);
  PeerText(PeerText&&) noexcept = default;
  PeerText& operator=(PeerText&&) noexcept = default;

  std::string_view source_ip() const { return {data_.get(), ip_}; }
  std::optional<std::string_view> user_agent() const {
    if (!has_agent_) return std::nullopt;
    return std::string_view(data_.get() + ip_, agent_);
  }
  std::string_view domain_name() const { return {data_.get() + ip_ + agent_, domain_}; }
  // As the event's and the management API's fields hold them.
  std::optional<std::string> user_agent_string() const {
    auto a = user_agent();
    return a ? std::optional<std::string>(std::in_place, *a) : std::nullopt;
  }

 private:
  std::size_t size() const { return std::size_t{ip_} + agent_ + domain_; }
  std::unique_ptr<char[]> data_;
  std::uint16_t ip_ = 0, agent_ = 0, domain_ = 0;
  bool has_agent_ = false;
};

}  // namespace gateway
