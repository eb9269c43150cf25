#pragma once
// RFC 6455 framing for the server side: header encoding for outgoing (unmasked) frames and the
// close frame payload. Beast does the HTTP upgrade; after it, Parley owns the frame path so that
// it can write every pending frame of a socket in one system call (uWebSockets' "cork").
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gateway::ws {

enum class Opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

namespace close_code {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t going_away = 1001;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t unsupported_data = 1003;
inline constexpr std::uint16_t no_status = 1005;  // never on the wire
inline constexpr std::uint16_t abnormal = 1006;   // never on the wire
inline constexpr std::uint16_t invalid_payload = 1007;
inline constexpr std::uint16_t policy_violation = 1008;
inline constexpr std::uint16_t too_big = 1009;
}  // namespace close_code

inline constexpr std::size_t max_header = 10;  // server frames carry no mask

// Writes the header of an unmasked frame with a payload of `length` bytes; returns its size.
std::size_t encode_header(std::uint8_t* out, Opcode op, bool fin, std::uint64_t length);

// The payload of a close frame: the code in network order, then the reason (at most 123 bytes,
// cut at a UTF-8 character boundary). Code 1005 means "no status": an empty payload.
std::string close_payload(std::uint16_t code, std::string_view reason);

// Whether a peer may send `code` in a close frame (RFC 6455 §7.4).
bool valid_close_code(std::uint16_t code);

}  // namespace gateway::ws
