#pragma once
// RFC 6455 framing shared by both ends Parley speaks: the gateway (reads masked client frames,
// writes unmasked ones) and the load generator behind `parley bench` (the other way round).
// Headers are encoded here and decoded by HeaderReader; message assembly stays with each side,
// because the two want different things (limits and UTF-8 vs. a copy-free count).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ws {

enum class Opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

inline bool is_control(Opcode op) { return static_cast<std::uint8_t>(op) >= 0x8; }

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

using MaskKey = std::array<std::uint8_t, 4>;

inline constexpr std::size_t max_header = 10;         // server frames carry no mask
inline constexpr std::size_t max_masked_header = 14;  // client frames: plus the 4-byte key

// Size of the header of a frame with a payload of `length` bytes: 2, 4 or 10 bytes, plus 4 when
// masked.
std::size_t header_size(std::uint64_t length, bool masked);

// Writes the header of a frame with a payload of `length` bytes, in the shortest length form
// (RFC 6455 §5.2), masked with `key` when one is given; returns its size.
std::size_t encode_header(std::uint8_t* out, Opcode op, bool fin, std::uint64_t length,
                          const MaskKey* key = nullptr);

// Appends one client frame carrying `payload`, masked with `key`, to `out` (no allocation when
// `out` has room). `fin` false starts or continues a fragmented message.
void append_client_frame(std::string& out, Opcode op, std::string_view payload, const MaskKey& key,
                         bool fin = true);

// XORs `data` in place with `key`, starting at key byte `offset % 4` (masking is its own
// inverse). Word at a time: masking a 64 KiB payload byte by byte shows in a load generator's CPU.
void apply_mask(char* data, std::size_t n, const MaskKey& key, std::size_t offset = 0);

// Copies `n` bytes from `src` to `dst` unmasking them, `offset` payload bytes into the frame.
// A loop the compiler vectorises: the gateway unmasks every byte a client sends this way.
inline void unmask_copy(std::uint8_t* dst, const std::uint8_t* src, std::size_t n,
                        MaskKey key, std::uint64_t offset) {
  for (std::size_t i = 0; i < n; ++i) dst[i] = src[i] ^ key[(offset + i) & 3];
}

// The payload of a close frame: the code in network order, then the reason (at most 123 bytes,
// cut at a UTF-8 character boundary). Code 1005 means "no status": an empty payload.
std::string close_payload(std::uint16_t code, std::string_view reason);

// Whether a peer may send `code` in a close frame (RFC 6455 §7.4).
bool valid_close_code(std::uint16_t code);

}  // namespace ws
