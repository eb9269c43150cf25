#pragma once
// Incremental parser of server WebSocket frames (unmasked, RFC 6455 §5.2) for the load generator:
// it sees each byte once, keeps only the first bytes of each message (enough to find the bench
// marker) and never allocates, so a receiving thread can count millions of frames a second.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ws/frame.hpp"
#include "ws/header_reader.hpp"

namespace bench {

using ws::Opcode;

// What the parser reports; called on the thread that feeds it.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // A whole data message: its first bytes (at most FrameParser::head_capacity) and its full size.
  virtual void on_message(Opcode opcode, std::string_view head, std::uint64_t size) = 0;
  // A control frame (ping, pong, close) with its whole payload (at most 125 bytes).
  virtual void on_control(Opcode opcode, std::string_view payload) = 0;
};

class FrameParser {
 public:
  // The marker sits in the first bytes of a message (Parley puts the text after a few short fields).
  static constexpr std::size_t head_capacity = 1024;

  explicit FrameParser(FrameSink& sink) : sink_(&sink), header_(/*masked=*/false) {}

  // Consumes `n` bytes. Returns false on a protocol error (error() says which); the parser is then
  // unusable, as the connection must be closed.
  bool feed(const char* data, std::size_t n);

  const std::string& error() const { return error_; }
  bool in_message() const { return in_message_; }

 private:
  bool fail(const char* why);
  bool start_frame(const ws::FrameHeader& h);
  void consume_payload(const char* data, std::size_t n);
  void end_frame();

  FrameSink* sink_;
  // Header being assembled across reads.
  ws::HeaderReader header_;
  bool in_payload_ = false;
  Opcode frame_opcode_ = Opcode::continuation;
  bool frame_fin_ = false;
  std::uint64_t remaining_ = 0;
  // Control frames may arrive between the fragments of a message: they have their own buffer.
  std::array<char, 125> control_{};
  std::size_t control_len_ = 0;
  // The message being assembled (one or more frames).
  bool in_message_ = false;
  Opcode message_opcode_ = Opcode::text;
  std::uint64_t message_size_ = 0;
  std::array<char, head_capacity> head_{};
  std::size_t head_len_ = 0;
  std::string error_;
};

}  // namespace bench
