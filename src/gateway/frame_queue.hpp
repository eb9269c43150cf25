#pragma once
// The frames waiting for one socket. Everything pending goes out in one gathered write (one
// writev): uWebSockets' "cork", the main reason it outruns one-write-per-frame servers. Payloads
// are shared, already-encoded frames; only the few header bytes are per recipient.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <boost/asio/buffer.hpp>

#include "apigw/connections.hpp"
#include "gateway/frame_parser.hpp"

namespace gateway {

class FrameQueue {
 public:
  struct Written {
    std::size_t messages = 0;  // text messages written
    std::size_t bytes = 0;     // their payload bytes
    bool close = false;        // the close frame was among them
  };

  void push(apigw::SharedFrame payload, ws::Opcode op) { entries_.push_back({std::move(payload), op}); }
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }

  // Fills `out` with the buffers of the first pending entries (at least one, at most about
  // `max_bytes`), text messages cut into frames of at most `max_frame` bytes as API Gateway
  // does. The buffers stay valid until consume(). Returns how many entries they cover.
  std::size_t prepare(std::vector<boost::asio::const_buffer>& out, std::size_t max_frame,
                      std::size_t max_bytes = 1 << 20);
  // Drops the first `n` entries, once written.
  Written consume(std::size_t n);
  void clear() { entries_.clear(); }
  // Gives the vectors' memory back once nothing is queued: an idle connection holds none
  // (docs/performance-notes.md, issue 18). Nothing may point into headers_ then: call it only
  // when no write is under way.
  void release() {
    if (!entries_.empty()) return;
    // Swapped with empty vectors: assigning `{}` would keep the capacity.
    std::vector<Entry>().swap(entries_);
    std::vector<std::array<std::uint8_t, ::ws::max_header>>().swap(headers_);
  }
  // Heap bytes the queue's vectors hold (their capacity), not counting the frames themselves.
  std::size_t held_bytes() const {
    return entries_.capacity() * sizeof(Entry) + headers_.capacity() * sizeof(headers_[0]);
  }
  // Drops every entry after the first `keep` (those of a write under way); returns the text
  // payload bytes dropped.
  std::size_t truncate(std::size_t keep);

 private:
  struct Entry {
    apigw::SharedFrame payload;
    ws::Opcode op;
  };
  std::vector<Entry> entries_;
  std::vector<std::array<std::uint8_t, ::ws::max_header>> headers_;
};

}  // namespace gateway
