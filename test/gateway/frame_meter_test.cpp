#include "gateway/frame_meter.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace gateway {
namespace {

// A client frame (masked, as RFC 6455 requires of clients) with a payload of `len` bytes.
std::vector<unsigned char> frame(unsigned opcode, bool fin, std::size_t len) {
  std::vector<unsigned char> f;
  f.push_back(static_cast<unsigned char>((fin ? 0x80 : 0) | opcode));
  if (len < 126) {
    f.push_back(static_cast<unsigned char>(0x80 | len));
  } else if (len <= 0xFFFF) {
    f.push_back(0x80 | 126);
    f.push_back(static_cast<unsigned char>(len >> 8));
    f.push_back(static_cast<unsigned char>(len & 0xFF));
  } else {
    f.push_back(0x80 | 127);
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<unsigned char>((len >> (8 * i)) & 0xFF));
  }
  for (int i = 0; i < 4; ++i) f.push_back(0x5A);  // masking key
  f.insert(f.end(), len, 'x');
  return f;
}

std::vector<unsigned char> join(std::initializer_list<std::vector<unsigned char>> parts) {
  std::vector<unsigned char> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(FrameScanner, FramesAtTheLimitAreFine) {
  FrameScanner s(32768);
  auto bytes = join({frame(1, true, 10), frame(1, true, 32768), frame(1, true, 125)});
  s.feed(bytes.data(), bytes.size());
  EXPECT_FALSE(s.oversize(0));
  EXPECT_FALSE(s.oversize(1));
  EXPECT_FALSE(s.oversize(2));
}

TEST(FrameScanner, NamesTheMessageWithTheOversizeFrame) {
  FrameScanner s(32768);
  auto bytes = join({frame(1, true, 100), frame(1, true, 32769)});
  s.feed(bytes.data(), bytes.size());
  EXPECT_FALSE(s.oversize(0));
  EXPECT_TRUE(s.oversize(1));
}

TEST(FrameScanner, FragmentedMessageUnderTheLimitPerFrameIsFine) {
  FrameScanner s(32768);
  auto bytes = join({frame(1, false, 30000), frame(9, true, 4),  // a ping in between
                     frame(0, false, 30000), frame(0, true, 30000), frame(1, true, 5)});
  s.feed(bytes.data(), bytes.size());
  EXPECT_FALSE(s.oversize(0));
  EXPECT_FALSE(s.oversize(1));
}

TEST(FrameScanner, SixtyFourBitLengthsAreRead) {
  FrameScanner s(32768);
  auto bytes = frame(2, true, 70000);
  s.feed(bytes.data(), bytes.size());
  EXPECT_TRUE(s.oversize(0));
}

TEST(FrameScanner, ByteAtATimeGivesTheSameAnswer) {
  FrameScanner s(1000);
  auto bytes = join({frame(1, true, 999), frame(1, false, 10), frame(0, true, 1001)});
  for (auto b : bytes) s.feed(&b, 1);
  EXPECT_FALSE(s.oversize(0));
  EXPECT_TRUE(s.oversize(1));
}

}  // namespace
}  // namespace gateway
