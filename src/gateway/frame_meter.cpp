#include "gateway/frame_meter.hpp"

#include <algorithm>

namespace gateway {

// RFC 6455 §5.2: 2 header bytes; a 7-bit length, or 126 + 16 bits, or 127 + 64 bits; a 4-byte
// masking key when the MASK bit is set (always, from a client); then the payload.
void FrameScanner::feed(const unsigned char* p, std::size_t n) {
  while (n > 0) {
    if (state_ == State::payload) {
      const auto skip = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, n));
      remaining_ -= skip;
      p += skip;
      n -= skip;
      if (remaining_ == 0) {
        state_ = State::header;
        have_ = 0;
        need_ = 2;
      }
      continue;
    }
    const std::size_t take = std::min(need_ - have_, n);
    std::copy_n(p, take, header_ + have_);
    have_ += take;
    p += take;
    n -= take;
    if (have_ < need_) continue;
    if (need_ == 2) {
      const unsigned len7 = header_[1] & 0x7F;
      const bool masked = (header_[1] & 0x80) != 0;
      need_ = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
      if (need_ > 2) continue;
    }
    on_header();
  }
}

void FrameScanner::on_header() {
  const unsigned len7 = header_[1] & 0x7F;
  std::uint64_t len = len7;
  if (len7 == 126) {
    len = (std::uint64_t{header_[2]} << 8) | header_[3];
  } else if (len7 == 127) {
    len = 0;
    for (int i = 0; i < 8; ++i) len = (len << 8) | header_[2 + i];
  }
  const unsigned opcode = header_[0] & 0x0F;
  const bool fin = (header_[0] & 0x80) != 0;
  // Continuation, text, binary; control frames (ping, pong, close) may interleave and are short.
  if (opcode <= 2) {
    if (len > max_payload_ && !oversize_) {
      oversize_ = true;
      first_oversize_ = messages_;
    }
    if (fin) ++messages_;
  }
  remaining_ = len;
  if (remaining_ == 0) {
    have_ = 0;
    need_ = 2;
  } else {
    state_ = State::payload;
  }
}

}  // namespace gateway
