#pragma once
// Client-side WebSocket frames (RFC 6455 §5.2): a client must mask every frame it sends.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace bench {

enum class Opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

using MaskKey = std::array<std::uint8_t, 4>;

// Appends one frame carrying `payload`, masked with `key`, to `out` (no allocation when `out` has
// room). `fin` false starts or continues a fragmented message.
void append_client_frame(std::string& out, Opcode opcode, std::string_view payload,
                         const MaskKey& key, bool fin = true);

// Size of the header `append_client_frame` writes for a payload of `n` bytes (2, 4 or 10 bytes
// plus the 4-byte mask key).
std::size_t client_header_size(std::size_t n);

// XORs `data` with `key`, starting at key byte `offset % 4` (masking is its own inverse).
void apply_mask(char* data, std::size_t n, const MaskKey& key, std::size_t offset = 0);

}  // namespace bench
