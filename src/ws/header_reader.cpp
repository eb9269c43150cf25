#include "ws/header_reader.hpp"

#include <algorithm>
#include <cstring>

namespace ws {

std::size_t HeaderReader::feed(const std::uint8_t* data, std::size_t n, Status& status) {
  // The common case, a whole header among the bytes of one read, is decoded where it lies.
  if (have_ == 0 && n >= 2) {
    const std::size_t need = header_length(data[1]);
    if (n >= need) {
      if (((data[1] & 0x80) != 0) != masked_) return status = wrong_mask(), 2;
      status = decode(data, need);
      return need;
    }
  }
  std::size_t used = 0;
  status = Status::more;
  while (used < n) {
    const std::size_t take = std::min<std::size_t>(need_ - have_, n - used);
    std::memcpy(bytes_ + have_, data + used, take);
    have_ = static_cast<std::uint8_t>(have_ + take);
    used += take;
    if (have_ < need_) break;
    if (need_ == 2) {
      // The second byte says how long the rest is; a wrong mask bit fails before waiting for it.
      if (((bytes_[1] & 0x80) != 0) != masked_) return status = wrong_mask(), used;
      need_ = static_cast<std::uint8_t>(header_length(bytes_[1]));
      if (need_ > 2) continue;
    }
    status = decode(bytes_, need_);
    have_ = 0;
    need_ = 2;
    break;
  }
  return used;
}

std::size_t HeaderReader::header_length(std::uint8_t second_byte) const {
  const unsigned len7 = second_byte & 0x7F;
  return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked_ ? 4 : 0);
}

HeaderReader::Status HeaderReader::wrong_mask() {
  return fail(masked_ ? "Client frames must be masked" : "Server frames must not be masked");
}

HeaderReader::Status HeaderReader::decode(const std::uint8_t* bytes, std::size_t size) {
  const std::uint8_t b0 = bytes[0];
  if (b0 & 0x70) return fail("Reserved bits set");
  header_.fin = (b0 & 0x80) != 0;
  header_.opcode = static_cast<Opcode>(b0 & 0x0F);
  const unsigned len7 = bytes[1] & 0x7F;
  std::uint64_t len = len7;
  if (len7 == 126) {
    len = (std::uint64_t{bytes[2]} << 8) | bytes[3];
    if (len < 126) return fail("Non-minimal length");
  } else if (len7 == 127) {
    len = 0;
    for (int i = 0; i < 8; ++i) len = (len << 8) | bytes[2 + i];
    if (len >> 63) return fail("Length out of range");
    if (len <= 0xFFFF) return fail("Non-minimal length");
  }
  header_.length = len;
  header_.mask = {};
  if (masked_) std::memcpy(header_.mask.data(), bytes + size - 4, 4);
  switch (header_.opcode) {
    case Opcode::continuation:
    case Opcode::text:
    case Opcode::binary:
      return Status::done;
    case Opcode::close:
    case Opcode::ping:
    case Opcode::pong:
      if (!header_.fin) return fail("Fragmented control frame");
      if (len > 125) return fail("Control frame too long");
      return Status::done;
    default:
      return fail("Unknown opcode");
  }
}

}  // namespace ws
