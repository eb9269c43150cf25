#include "gateway/ws_upgrade.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <string>

namespace gateway::ws_upgrade {
namespace http = boost::beast::http;

namespace {
constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool base64_of_16_bytes(std::string_view key) {
  // 16 bytes are 22 characters and "==".
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (char c : key.substr(0, 22)) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
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
  std::array<unsigned char, 32> out{};  // 4 * ceil(20 / 3) = 28, plus the NUL
  const int n = EVP_EncodeBlock(out.data(), digest.data(), static_cast<int>(digest.size()));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
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
