#include "bench/frame_writer.hpp"

#include <cstring>

namespace bench {

std::size_t client_header_size(std::size_t n) {
  return (n < 126 ? 2 : n <= 0xFFFF ? 4 : 10) + 4;
}

void apply_mask(char* data, std::size_t n, const MaskKey& key, std::size_t offset) {
  // Word at a time: masking a 64 KiB payload byte by byte would show in the generator's CPU.
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

void append_client_frame(std::string& out, Opcode opcode, std::string_view payload,
                         const MaskKey& key, bool fin) {
  const std::size_t n = payload.size();
  std::uint8_t header[14];
  std::size_t h = 0;
  header[h++] = static_cast<std::uint8_t>((fin ? 0x80 : 0x00) | static_cast<std::uint8_t>(opcode));
  if (n < 126) {
    header[h++] = static_cast<std::uint8_t>(0x80 | n);
  } else if (n <= 0xFFFF) {
    header[h++] = 0x80 | 126;
    header[h++] = static_cast<std::uint8_t>(n >> 8);
    header[h++] = static_cast<std::uint8_t>(n);
  } else {
    header[h++] = 0x80 | 127;
    for (int shift = 56; shift >= 0; shift -= 8)
      header[h++] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(n) >> shift);
  }
  for (auto b : key) header[h++] = b;
  const std::size_t start = out.size();
  out.append(reinterpret_cast<const char*>(header), h);
  out.append(payload);
  apply_mask(out.data() + start + h, n, key);
}

}  // namespace bench
