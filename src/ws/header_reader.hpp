#pragma once
// Incremental decoder of one frame header (RFC 6455 §5.2), fed whatever bytes a read returned.
// It checks everything a header alone can break: the mask bit for the side it reads (clients
// must mask, servers must not), reserved bits (no extension is negotiated), reserved opcodes,
// the shortest length form and the 63-bit limit, and the control-frame rules (not fragmented,
// at most 125 bytes). Whether a frame fits the message in progress is the caller's business.
#include <cstddef>
#include <cstdint>

#include "ws/frame.hpp"

namespace ws {

// The length first: 16 bytes instead of 24 (every WebSocket session keeps one, issue 18).
struct FrameHeader {
  std::uint64_t length = 0;
  MaskKey mask{};  // all zero when the frame is not masked
  bool fin = false;
  Opcode opcode = Opcode::continuation;
};

class HeaderReader {
 public:
  enum class Status { more, done, error };
  // `masked`: whether frames from the peer must be masked (a server reading a client) or must not.
  explicit HeaderReader(bool masked) : masked_(masked) {}

  // Takes header bytes from `data` (n bytes) and returns how many it consumed: `more` when the
  // header is still incomplete (all n were taken), `done` when header() holds the next frame's
  // header (the reader is then ready for the one after), `error` when the header is invalid
  // (error() says why; nothing more should be fed).
  std::size_t feed(const std::uint8_t* data, std::size_t n, Status& status);

  const FrameHeader& header() const { return header_; }
  // The reason of the last `error`, a sentence fit for a close frame; empty before one.
  const char* error() const { return error_; }

 private:
  // Header size (2 to 14 bytes) announced by its second byte.
  std::size_t header_length(std::uint8_t second_byte) const;
  Status decode(const std::uint8_t* bytes, std::size_t size);
  Status wrong_mask();
  Status fail(const char* why) { return error_ = why, Status::error; }

  // Bytes, not size_t: a header is at most 14 bytes, and every session holds a reader.
  bool masked_;
  std::uint8_t bytes_[max_masked_header] = {};
  std::uint8_t have_ = 0;  // header bytes collected
  std::uint8_t need_ = 2;  // header bytes needed: 2 until the length form is known
  FrameHeader header_;
  const char* error_ = "";
};
static_assert(sizeof(HeaderReader) <= 48, "a session's header reader grew (issue 18)");

}  // namespace ws
