#pragma once
// The server's side of the WebSocket opening handshake (RFC 6455 §4.2), answered by the gateway
// itself rather than by Beast's websocket::stream: the request is checked before anything runs
// (a bad handshake invokes no $connect, as on API Gateway), and the 101 leaves in one write
// built without an HTTP serializer.
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace gateway::ws_upgrade {

// Why a handshake is refused: 400, or 426 for a version other than 13 (the answer then names
// the version spoken, in Sec-WebSocket-Version).
struct Refusal {
  unsigned status;
  std::string_view message;
};

// Checks what http_session's is_upgrade() does not: Sec-WebSocket-Key is 16 bytes in base64,
// Sec-WebSocket-Version is 13.
std::optional<Refusal> check(
    const boost::beast::http::request<boost::beast::http::string_body>& req);

// Sec-WebSocket-Accept for a key (RFC 6455 §1.3): base64(SHA-1(key + GUID)).
std::string accept_key(std::string_view key);

// The whole 101 response; `subprotocol` is echoed when it is a token (RFC 9110), "" is none.
std::string switching_protocols(std::string_view key, std::string_view subprotocol);

}  // namespace gateway::ws_upgrade
