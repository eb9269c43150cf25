#pragma once
// A ws:// or wss:// URL taken apart the way a WebSocket client needs it.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace client {

struct WsUrl {
  bool tls = false;      // wss://
  std::string host;      // DNS name or address, IPv6 without brackets (for resolve and SNI)
  std::string port;      // "80" / "443" when the URL has none
  std::string authority; // the Host header: host[:port] exactly as the URL spells it
  std::string target;    // path and query, "/" at least

  // Throws std::invalid_argument for anything but an absolute ws:// or wss:// URL with a host.
  static WsUrl parse(std::string_view text);

  // A copy whose query has each (key, value), percent-encoded, replacing a key already there.
  WsUrl with_query(const std::vector<std::pair<std::string, std::string>>& params) const;

  // The URL again, for messages.
  std::string text() const;
};

}  // namespace client
