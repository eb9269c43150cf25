#pragma once
// Parses what a client sends after the upgrade (RFC 6455 §5): masked frames, fragmented
// messages, interleaved control frames; enforces API Gateway's limits (32 KB frame, 128 KB
// message: 1009), text only (binary: 1003), valid UTF-8 (1007) and the protocol (1002).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/utf8.hpp"
#include "ws/frame.hpp"
#include "ws/header_reader.hpp"

namespace gateway::ws {

// The shared codec's names, as the gateway has always spelled them (gateway::ws::...).
using ::ws::Opcode;
using ::ws::close_payload;
namespace close_code = ::ws::close_code;

// Each at most 4 GiB - 1 (ws_handshake.cpp clamps the configuration's): 8 bytes in every
// connection's parser, not 16 (issue 18).
struct ParserLimits {
  std::uint32_t max_frame = 32768;
  std::uint32_t max_message = 131072;
};

class FrameParser {
 public:
  enum class Kind { none, text, ping, pong, close, error };
  struct Event {
    Kind kind = Kind::none;
    std::string payload;          // text message; ping/pong data; close reason; error reason
    std::uint16_t code = 0;       // close: the peer's code (1005 when none); error: ours to send
  };

  explicit FrameParser(ParserLimits limits) : limits_(limits), header_(/*masked=*/true) {}

  // Parses from `data` (n bytes) and returns how many bytes it consumed, storing at most one
  // event in `out`. Incomplete frames are kept internally: call again with the next bytes.
  // After an error event no text event follows. When the framing itself is intact (over-size,
  // binary, invalid UTF-8) the parser goes on skipping data frames and still reports control
  // frames, so the peer's close frame is seen and the closing handshake can complete; after a
  // protocol error (1002) it swallows everything.
  std::size_t parse(const std::uint8_t* data, std::size_t n, Event& out);
  // Heap bytes held for frames not yet complete (0 between frames).
  std::size_t held_bytes() const {
    return message_.capacity() - sso_capacity +
           (control_ ? sizeof(std::string) + control_->capacity() - sso_capacity : 0);
  }

 private:
  // Not constexpr: clang 14 with libstdc++ 12 cannot evaluate std::string() in a constant expression.
  static inline const std::size_t sso_capacity = std::string().capacity();  // the capacity without heap
  enum class State : std::uint8_t { header, payload, failed };
  Event fail(std::uint16_t code, std::string reason);    // framing broken: read nothing more
  Event reject(std::uint16_t code, std::string reason);  // framing intact: skip data frames
  bool is_data() const { return frame_op_ == Opcode::text || frame_op_ == Opcode::continuation; }
  bool on_header(const ::ws::FrameHeader& h, Event& out);
  void on_payload_chunk(const std::uint8_t* p, std::size_t n);
  bool skip(std::uint64_t len);
  bool on_frame_end(Event& out);
  std::string take_control();  // the control frame's payload, leaving none held

  // Ordered to pack (every connection holds a parser: issue 18, the static_assert below).
  ParserLimits limits_;
  ::ws::HeaderReader header_;
  std::uint64_t remaining_ = 0;  // payload bytes still to come in this frame
  std::uint64_t offset_ = 0;     // payload bytes seen in this frame (for the mask)
  std::string message_;
  // A control frame's payload (at most 125 bytes) while it arrives; null between control frames.
  std::unique_ptr<std::string> control_;
  ::ws::MaskKey mask_{};
  State state_ = State::header;
  Opcode frame_op_ = Opcode::text;  // opcode of the frame being read
  bool fin_ = false;
  bool in_message_ = false;      // a fragmented text message is open
  bool discarding_ = false;      // rejected: data frames are skipped from now on
  bool invalid_utf8_ = false;
  core::Utf8Validator utf8_;
};
static_assert(sizeof(FrameParser) <= 128, "a session's frame parser grew (issue 18)");

}  // namespace gateway::ws
