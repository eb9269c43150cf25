#include "bench/frame_parser.hpp"

#include <algorithm>
#include <cstring>

namespace bench {

bool FrameParser::fail(const char* why) {
  error_ = why;
  return false;
}

bool FrameParser::feed(const char* data, std::size_t n) {
  if (!error_.empty()) return false;
  while (n > 0) {
    if (!in_payload_) {
      // Copy header bytes; the first two tell how many more the length needs.
      const std::size_t take = std::min(n, header_need_ - header_len_);
      std::memcpy(header_.data() + header_len_, data, take);
      header_len_ += take;
      data += take;
      n -= take;
      if (header_len_ < header_need_) return true;
      if (header_need_ == 2) {
        const std::uint8_t len7 = header_[1] & 0x7F;
        if (header_[1] & 0x80) return fail("server frames must not be masked");
        header_need_ = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
        if (header_len_ < header_need_) continue;
      }
      if (!start_frame()) return false;
      if (remaining_ == 0) end_frame();
      continue;
    }
    const std::size_t take =
        static_cast<std::size_t>(std::min<std::uint64_t>(n, remaining_));
    consume_payload(data, take);
    data += take;
    n -= take;
    remaining_ -= take;
    if (remaining_ == 0) end_frame();
  }
  return true;
}

bool FrameParser::start_frame() {
  const std::uint8_t b0 = header_[0];
  if (b0 & 0x70) return fail("reserved bits set (no extension was negotiated)");
  frame_fin_ = (b0 & 0x80) != 0;
  const std::uint8_t op = b0 & 0x0F;
  const std::uint8_t len7 = header_[1] & 0x7F;
  std::uint64_t len = len7;
  if (len7 == 126) {
    len = (std::uint64_t{header_[2]} << 8) | header_[3];
    if (len < 126) return fail("length not in its shortest form");
  } else if (len7 == 127) {
    len = 0;
    for (int i = 2; i < 10; ++i) len = (len << 8) | header_[i];
    if (len >> 63) return fail("64-bit length with the top bit set");
    if (len <= 0xFFFF) return fail("length not in its shortest form");
  }
  header_len_ = 0;
  header_need_ = 2;
  remaining_ = len;
  in_payload_ = true;
  switch (op) {
    case 0x8: case 0x9: case 0xA:
      if (!frame_fin_) return fail("fragmented control frame");
      if (len > 125) return fail("control frame over 125 bytes");
      frame_opcode_ = static_cast<Opcode>(op);
      control_len_ = 0;
      return true;
    case 0x1: case 0x2:
      if (in_message_) return fail("new message before the previous one ended");
      in_message_ = true;
      message_opcode_ = static_cast<Opcode>(op);
      message_size_ = 0;
      head_len_ = 0;
      frame_opcode_ = message_opcode_;
      return true;
    case 0x0:
      if (!in_message_) return fail("continuation frame without a message");
      frame_opcode_ = Opcode::continuation;
      return true;
    default:
      return fail("reserved opcode");
  }
}

void FrameParser::consume_payload(const char* data, std::size_t n) {
  if (static_cast<std::uint8_t>(frame_opcode_) >= 0x8) {
    std::memcpy(control_.data() + control_len_, data, n);
    control_len_ += n;
    return;
  }
  message_size_ += n;
  const std::size_t keep = std::min(n, head_capacity - head_len_);
  std::memcpy(head_.data() + head_len_, data, keep);
  head_len_ += keep;
}

void FrameParser::end_frame() {
  in_payload_ = false;
  if (static_cast<std::uint8_t>(frame_opcode_) >= 0x8) {
    sink_->on_control(frame_opcode_, std::string_view(control_.data(), control_len_));
    return;
  }
  if (!frame_fin_) return;
  in_message_ = false;
  sink_->on_message(message_opcode_, std::string_view(head_.data(), head_len_), message_size_);
}

}  // namespace bench
