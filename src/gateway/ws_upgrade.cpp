#include "gateway/ws_upgrade.hpp"

#include <openssl/sha.h>

#include <array>
#include <string>

#include "core/base64.hpp"

namespace gateway::ws_upgrade {
namespace http = boost::beast::http;

namespace {
constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// RFC 6455 §4.2.1: a value that, base64-decoded, is 16 bytes long. Stray bits after the 16th
// byte are let through: the key is only hashed, and a client whose encoder leaves them is
// still a client.
bool base64_of_16_bytes(std::string_view key) {
  const auto bytes = core::base64_decode(key, core::Base64::standard, core::Base64Bits::any);
  return bytes && bytes->size() == 16;
}

// An HTTP token (RFC 9110 §5.6.2): what a subprotocol name is; anything else is not echoed.
bool token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}
}  // namespace

std::optional<Refusal> check(const http::request<http::string_body>& req) {
  if (req[http::field::sec_websocket_version] != "13")
    return Refusal{426, "Unsupported WebSocket version"};
  if (!base64_of_16_bytes(req[http::field::sec_websocket_key]))
    return Refusal{400, "Invalid Sec-WebSocket-Key"};
  return std::nullopt;
}

std::string accept_key(std::string_view key) {
  std::string input(key);
  input += guid;
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  return core::base64_encode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string switching_protocols(std::string_view key, std::string_view subprotocol) {
  std::string r;
  r.reserve(160 + subprotocol.size());
  r += "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
  r += "Sec-WebSocket-Accept: ";
  r += accept_key(key);
  r += "\r\nServer: Parley\r\n";
  if (token(subprotocol)) {
    r += "Sec-WebSocket-Protocol: ";
    r += subprotocol;
    r += "\r\n";
  }
  r += "\r\n";
  return r;
}

}  // namespace gateway::ws_upgrade
