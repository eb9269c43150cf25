#include "gateway/frame_queue.hpp"

#include <string>

#include <gtest/gtest.h>

#include "gateway/frame_parser.hpp"

namespace gateway {
namespace {

std::string flatten(const std::vector<boost::asio::const_buffer>& buffers) {
  std::string out;
  for (const auto& b : buffers) out.append(static_cast<const char*>(b.data()), b.size());
  return out;
}

TEST(FrameQueue, EveryPendingFrameGoesOutInOneGatheredWrite) {
  FrameQueue q;
  auto shared = apigw::make_frame("hello");
  q.push(shared, ws::Opcode::text);
  q.push(shared, ws::Opcode::text);
  q.push(apigw::make_frame("p"), ws::Opcode::pong);
  std::vector<boost::asio::const_buffer> buffers;
  ASSERT_EQ(q.prepare(buffers, 32768), 3u);
  // The payload bytes are the shared frame's own, not a copy.
  EXPECT_EQ(buffers[1].data(), shared->data());
  EXPECT_EQ(buffers[3].data(), shared->data());
  EXPECT_EQ(flatten(buffers), std::string("\x81\x05hello\x81\x05hello\x8a\x01p", 17));
  auto w = q.consume(3);
  EXPECT_EQ(w.messages, 2u);
  EXPECT_EQ(w.bytes, 10u);
  EXPECT_FALSE(w.close);
  EXPECT_TRUE(q.empty());
}

// The slow-client close: what is not being written is dropped; the write under way stays.
TEST(FrameQueue, TruncateKeepsTheEntriesBeingWrittenAndCountsTheDroppedTextBytes) {
  FrameQueue q;
  q.push(apigw::make_frame("aaaa"), ws::Opcode::text);
  q.push(apigw::make_frame("bb"), ws::Opcode::text);
  q.push(apigw::make_frame("p"), ws::Opcode::pong);
  q.push(apigw::make_frame("ccc"), ws::Opcode::text);
  std::vector<boost::asio::const_buffer> buffers;
  ASSERT_EQ(q.prepare(buffers, 32768, 1), 1u);  // one entry in flight
  EXPECT_EQ(q.truncate(1), 5u);                  // "bb" + "ccc"; the pong is not text
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(flatten(buffers), std::string("\x81\x04" "aaaa", 6));  // still valid
  EXPECT_EQ(q.consume(1).bytes, 4u);
  EXPECT_EQ(q.truncate(0), 0u);
  EXPECT_TRUE(q.empty());
}

TEST(FrameQueue, LargeMessagesAreCutInto32KFrames) {
  FrameQueue q;
  q.push(apigw::make_frame(std::string(70000, 'z')), ws::Opcode::text);
  std::vector<boost::asio::const_buffer> buffers;
  ASSERT_EQ(q.prepare(buffers, 32768), 1u);
  const std::string wire = flatten(buffers);
  // Read it back as a client would (server frames are unmasked: re-mask with a zero key).
  ASSERT_EQ(static_cast<unsigned char>(wire[0]), 0x01);  // text, not final
  std::size_t frames = 0, at = 0, payload = 0;
  while (at < wire.size()) {
    const unsigned char b1 = static_cast<unsigned char>(wire[at + 1]);
    std::size_t len = b1 & 0x7F, header = 2;
    if (len == 126) {
      len = (static_cast<unsigned char>(wire[at + 2]) << 8) | static_cast<unsigned char>(wire[at + 3]);
      header = 4;
    }
    EXPECT_LE(len, 32768u);
    payload += len;
    at += header + len;
    ++frames;
  }
  EXPECT_EQ(frames, 3u);
  EXPECT_EQ(payload, 70000u);
  EXPECT_EQ(static_cast<unsigned char>(wire[wire.size() - (70000 - 65536) - 4]), 0x80);  // final continuation
}

TEST(FrameQueue, CloseFrameIsReported) {
  FrameQueue q;
  q.push(apigw::make_frame(ws::close_payload(1001, "Going away")), ws::Opcode::close);
  std::vector<boost::asio::const_buffer> buffers;
  q.prepare(buffers, 32768);
  EXPECT_EQ(flatten(buffers), std::string("\x88\x0c\x03\xe9Going away", 14));
  EXPECT_TRUE(q.consume(1).close);
}

// Issue 18: a drained queue keeps no burst's worth of headers, and release() gives back the
// rest once nothing is queued (never while entries wait: a write may point into them).
TEST(FrameQueue, DrainedQueueGivesItsMemoryBack) {
  FrameQueue q;
  std::vector<boost::asio::const_buffer> buffers;
  for (int i = 0; i < 200; ++i) q.push(apigw::make_frame("m" + std::to_string(i)), ws::Opcode::text);
  ASSERT_EQ(q.prepare(buffers, 32768), 200u);
  const std::size_t during = q.held_bytes();
  q.consume(200);
  EXPECT_LE(q.held_bytes(), during - 200 * ::ws::max_header) << "the burst's headers stayed";
  q.push(apigw::make_frame("x"), ws::Opcode::text);
  q.prepare(buffers, 32768);
  q.release();
  EXPECT_GT(q.held_bytes(), 0u) << "released under a queued entry";
  q.consume(1);
  q.release();
  EXPECT_EQ(q.held_bytes(), 0u);
}

}  // namespace
}  // namespace gateway
