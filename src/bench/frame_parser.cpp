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
      ws::HeaderReader::Status status;
      const std::size_t used = header_.feed(reinterpret_cast<const std::uint8_t*>(data), n, status);
      data += used;
      n -= used;
      if (status == ws::HeaderReader::Status::more) return true;
      if (status == ws::HeaderReader::Status::error) return fail(header_.error());
      if (!start_frame(header_.header())) return false;
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

bool FrameParser::start_frame(const ws::FrameHeader& h) {
  // The header itself is valid (HeaderReader); what is left is whether it fits the message.
  frame_fin_ = h.fin;
  remaining_ = h.length;
  in_payload_ = true;
  switch (h.opcode) {
    case Opcode::close: case Opcode::ping: case Opcode::pong:
      frame_opcode_ = h.opcode;
      control_len_ = 0;
      return true;
    case Opcode::text: case Opcode::binary:
      if (in_message_) return fail("New message inside a fragmented one");
      in_message_ = true;
      message_opcode_ = h.opcode;
      message_size_ = 0;
      head_len_ = 0;
      frame_opcode_ = message_opcode_;
      return true;
    case Opcode::continuation:
      if (!in_message_) return fail("Continuation without a message");
      frame_opcode_ = Opcode::continuation;
      return true;
  }
  return fail("Unknown opcode");  // not reached: HeaderReader refuses reserved opcodes
}
void FrameParser::consume_payload(const char* data, std::size_t n) {
  if (ws::is_control(frame_opcode_)) {
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
  if (ws::is_control(frame_opcode_)) {
    sink_->on_control(frame_opcode_, std::string_view(control_.data(), control_len_));
    return;
  }
  if (!frame_fin_) return;
  in_message_ = false;
  sink_->on_message(message_opcode_, std::string_view(head_.data(), head_len_), message_size_);
}

}  // namespace bench
