#include "gateway/frame_parser.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

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
      ::ws::HeaderReader::Status status;
      used += header_.feed(data + used, n - used, status);
      if (status == ::ws::HeaderReader::Status::more) break;
      if (status == ::ws::HeaderReader::Status::error) {
        out = fail(close_code::protocol_error, header_.error());
        break;
      }
      // An error event; after a rejection the frame's payload is skipped next.
      if (!on_header(header_.header(), out)) break;
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

bool FrameParser::on_header(const ::ws::FrameHeader& h, Event& out) {
  // The header itself is valid (HeaderReader); what is left is whether it fits the message.
  fin_ = h.fin;
  frame_op_ = h.opcode;
  const std::uint64_t len = h.length;
  mask_ = h.mask;

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
    default:  // close, ping, pong: HeaderReader checked they are whole and short
      control_ = std::make_unique<std::string>();
      break;
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
  std::string& dst = data ? message_ : *control_;
  const std::size_t start = dst.size();
  dst.resize(start + n);
  auto* out = reinterpret_cast<std::uint8_t*>(dst.data()) + start;
  ::ws::unmask_copy(out, p, n, mask_, offset_);
  offset_ += n;
  if (data && !utf8_.feed(out, n)) invalid_utf8_ = true;
}

std::string FrameParser::take_control() {
  std::string payload = std::move(*control_);
  control_.reset();
  return payload;
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
    // The payload moves out: between frames the parser holds no control buffer (a ping of
    // more than 15 bytes would otherwise keep its heap block for the connection's life).
    case Opcode::ping:
      out = Event{Kind::ping, take_control(), 0};
      return true;
    case Opcode::pong:
      out = Event{Kind::pong, take_control(), 0};
      return true;
    case Opcode::close: {
      const std::string control = take_control();
      if (control.empty()) return out = Event{Kind::close, {}, close_code::no_status}, true;
      if (control.size() == 1)
        return out = fail(close_code::protocol_error, "Close payload of one byte"), true;
      const auto code = static_cast<std::uint16_t>(
          (static_cast<std::uint8_t>(control[0]) << 8) | static_cast<std::uint8_t>(control[1]));
      if (!::ws::valid_close_code(code))
        return out = fail(close_code::protocol_error, "Invalid close code"), true;
      core::Utf8Validator v;
      const auto* reason = reinterpret_cast<const std::uint8_t*>(control.data()) + 2;
      if (!v.feed(reason, control.size() - 2) || !v.complete())
        return out = fail(close_code::invalid_payload, "Invalid UTF-8 in the close reason"), true;
      out = Event{Kind::close, control.substr(2), code};
      return true;
    }
    default:
      return false;
  }
}

}  // namespace gateway::ws
