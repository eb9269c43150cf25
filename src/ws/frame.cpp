#include "ws/frame.hpp"

#include <cstring>

#include "core/utf8.hpp"

namespace ws {

std::size_t header_size(std::uint64_t length, bool masked) {
  return (length < 126 ? 2 : length <= 0xFFFF ? 4 : 10) + (masked ? 4 : 0);
}

std::size_t encode_header(std::uint8_t* out, Opcode op, bool fin, std::uint64_t length,
                          const MaskKey* key) {
  const std::uint8_t mask_bit = key ? 0x80 : 0x00;
  out[0] = static_cast<std::uint8_t>((fin ? 0x80 : 0x00) | static_cast<std::uint8_t>(op));
  std::size_t h;
  if (length < 126) {
    out[1] = static_cast<std::uint8_t>(mask_bit | length);
    h = 2;
  } else if (length <= 0xFFFF) {
    out[1] = mask_bit | 126;
    out[2] = static_cast<std::uint8_t>(length >> 8);
    out[3] = static_cast<std::uint8_t>(length);
    h = 4;
  } else {
    out[1] = mask_bit | 127;
    for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<std::uint8_t>(length >> (8 * (7 - i)));
    h = 10;
  }
  if (key) {
    std::memcpy(out + h, key->data(), 4);
    h += 4;
  }
  return h;
}

void append_client_frame(std::string& out, Opcode op, std::string_view payload, const MaskKey& key,
                         bool fin) {
  std::uint8_t header[max_masked_header];
  const std::size_t h = encode_header(header, op, fin, payload.size(), &key);
  const std::size_t start = out.size();
  out.append(reinterpret_cast<const char*>(header), h);
  out.append(payload);
  apply_mask(out.data() + start + h, payload.size(), key);
}

void apply_mask(char* data, std::size_t n, const MaskKey& key, std::size_t offset) {
  std::size_t i = 0;
  if (offset % 4 == 0 && n >= 8) {
    std::uint32_t k32;
    std::memcpy(&k32, key.data(), 4);
    const std::uint64_t k64 = (std::uint64_t{k32} << 32) | k32;
    for (; i + 8 <= n; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, data + i, 8);
      w ^= k64;
      std::memcpy(data + i, &w, 8);
    }
  }
  for (; i < n; ++i) data[i] = static_cast<char>(data[i] ^ key[(offset + i) % 4]);
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
  if (code == close_code::no_status || code == close_code::abnormal) return {};
  std::string out;
  out.push_back(static_cast<char>(code >> 8));
  out.push_back(static_cast<char>(code & 0xFF));
  // Control frames carry at most 125 bytes; never cut a character in two.
  out.append(core::utf8_prefix(reason, 123));
  return out;
}

bool valid_close_code(std::uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;
  switch (code) {
    case 1000: case 1001: case 1002: case 1003: case 1007: case 1008: case 1009: case 1010:
    case 1011: case 1012: case 1013: case 1014:
      return true;
    default:
      return false;
  }
}

}  // namespace ws
