#include "gateway/frame_parser.hpp"

#include <algorithm>
#include <cstring>

namespace gateway::ws {

FrameParser::Event FrameParser::fail(std::uint16_t code, std::string reason) {
  state_ = State::failed;
  message_.clear();
  message_.shrink_to_fit();
  return Event{Kind::error, std::move(reason), code};
}

FrameParser::Event FrameParser::reject(std::uint16_t code, std::string reason) {
  discarding_ = true;
  in_message_ = false;
  message_.clear();
  message_.shrink_to_fit();
  return Event{Kind::error, std::move(reason), code};
}

std::size_t FrameParser::parse(const std::uint8_t* data, std::size_t n, Event& out) {
  out = Event{};
  std::size_t used = 0;
  while (used < n && out.kind == Kind::none) {
    if (state_ == State::failed) return n;  // nothing more is read from a failed peer
    if (state_ == State::header) {
      const std::size_t take = std::min(need_ - have_, n - used);
      std::memcpy(header_ + have_, data + used, take);
      have_ += take;
      used += take;
      if (have_ < need_) break;
      if (need_ == 2) {
        if ((header_[1] & 0x80) == 0) {
          out = fail(close_code::protocol_error, "Client frames must be masked");
          break;
        }
        const unsigned len7 = header_[1] & 0x7F;
        need_ = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
        continue;
      }
      const bool ok = on_header(out);
      have_ = 0;
      need_ = 2;
      if (!ok) break;  // an error event; after a rejection the frame's payload is skipped next
      if (remaining_ == 0) on_frame_end(out);
      continue;
    }
    const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, n - used));
    on_payload_chunk(data + used, take);
    used += take;
    remaining_ -= take;
    if (remaining_ == 0) state_ = State::header;
    if (invalid_utf8_) {
      invalid_utf8_ = false;
      out = reject(close_code::invalid_payload, "Invalid UTF-8 in a text message");
      break;
    }
    if (remaining_ == 0) on_frame_end(out);
  }
  return used;
}

bool FrameParser::on_header(Event& out) {
  const std::uint8_t b0 = header_[0];
  if (b0 & 0x70) return out = fail(close_code::protocol_error, "Reserved bits set"), false;
  fin_ = (b0 & 0x80) != 0;
  frame_op_ = static_cast<Opcode>(b0 & 0x0F);
  const unsigned len7 = header_[1] & 0x7F;
  std::uint64_t len = len7;
  if (len7 == 126) {
    len = (std::uint64_t{header_[2]} << 8) | header_[3];
    if (len < 126) return out = fail(close_code::protocol_error, "Non-minimal length"), false;
  } else if (len7 == 127) {
    len = 0;
    for (int i = 0; i < 8; ++i) len = (len << 8) | header_[2 + i];
    if (len >> 63) return out = fail(close_code::protocol_error, "Length out of range"), false;
    if (len <= 0xFFFF) return out = fail(close_code::protocol_error, "Non-minimal length"), false;
  }
  std::memcpy(mask_, header_ + need_ - 4, 4);

  if (discarding_ && (is_data() || frame_op_ == Opcode::binary)) {
    frame_op_ = Opcode::continuation;  // skipped like the rest of a rejected message
    remaining_ = len;
    offset_ = 0;
    state_ = len > 0 ? State::payload : State::header;
    return true;
  }
  switch (frame_op_) {
    case Opcode::continuation:
      if (!in_message_)
        return out = fail(close_code::protocol_error, "Continuation without a message"), false;
      break;
    case Opcode::text:
      if (in_message_)
        return out = fail(close_code::protocol_error, "New message inside a fragmented one"), false;
      in_message_ = true;
      message_.clear();
      utf8_.reset();
      break;
    case Opcode::binary:
      // API Gateway does not take binary frames (aws-contract.md §1.6).
      out = reject(close_code::unsupported_data, "Binary frames are not supported");
      return skip(len);
    case Opcode::close:
    case Opcode::ping:
    case Opcode::pong:
      if (!fin_) return out = fail(close_code::protocol_error, "Fragmented control frame"), false;
      if (len > 125) return out = fail(close_code::protocol_error, "Control frame too long"), false;
      control_.clear();
      break;
    default:
      return out = fail(close_code::protocol_error, "Unknown opcode"), false;
  }
  if (is_data()) {
    if (len > limits_.max_frame) {
      out = reject(close_code::too_big, "Frame too big");
      return skip(len);
    }
    if (message_.size() + len > limits_.max_message) {
      out = reject(close_code::too_big, "Message too big");
      return skip(len);
    }
    message_.reserve(message_.size() + static_cast<std::size_t>(len));
  }
  remaining_ = len;
  offset_ = 0;
  state_ = len > 0 ? State::payload : State::header;
  return true;
}

bool FrameParser::skip(std::uint64_t len) {
  frame_op_ = Opcode::continuation;
  remaining_ = len;
  offset_ = 0;
  state_ = len > 0 ? State::payload : State::header;
  return false;  // the caller returns the rejection event now; parsing resumes after it
}

void FrameParser::on_payload_chunk(const std::uint8_t* p, std::size_t n) {
  const bool data = is_data();
  if (data && discarding_) {
    offset_ += n;
    return;
  }
  std::string& dst = data ? message_ : control_;
  const std::size_t start = dst.size();
  dst.resize(start + n);
  auto* out = reinterpret_cast<std::uint8_t*>(dst.data()) + start;
  for (std::size_t i = 0; i < n; ++i) out[i] = p[i] ^ mask_[(offset_ + i) & 3];
  offset_ += n;
  if (data && !utf8_.feed(out, n)) invalid_utf8_ = true;
}

bool FrameParser::on_frame_end(Event& out) {
  switch (frame_op_) {
    case Opcode::text:
    case Opcode::continuation:
      if (!fin_ || discarding_) return false;
      if (!utf8_.complete())
        return out = reject(close_code::invalid_payload, "Invalid UTF-8 in a text message"), true;
      in_message_ = false;
      out = Event{Kind::text, std::move(message_), 0};
      message_ = std::string();
      return true;
    case Opcode::ping:
      out = Event{Kind::ping, control_, 0};
      return true;
    case Opcode::pong:
      out = Event{Kind::pong, control_, 0};
      return true;
    case Opcode::close: {
      if (control_.empty()) return out = Event{Kind::close, {}, close_code::no_status}, true;
      if (control_.size() == 1)
        return out = fail(close_code::protocol_error, "Close payload of one byte"), true;
      const auto code = static_cast<std::uint16_t>(
          (static_cast<std::uint8_t>(control_[0]) << 8) | static_cast<std::uint8_t>(control_[1]));
      if (!valid_close_code(code))
        return out = fail(close_code::protocol_error, "Invalid close code"), true;
      Utf8Validator v;
      const auto* reason = reinterpret_cast<const std::uint8_t*>(control_.data()) + 2;
      if (!v.feed(reason, control_.size() - 2) || !v.complete())
        return out = fail(close_code::invalid_payload, "Invalid UTF-8 in the close reason"), true;
      out = Event{Kind::close, control_.substr(2), code};
      return true;
    }
    default:
      return false;
  }
}

}  // namespace gateway::ws
