#include "bench/frame_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using bench::FrameParser;
using bench::Opcode;

struct Recorder : bench::FrameSink {
  struct Message {
    Opcode opcode;
    std::string head;
    std::uint64_t size;
  };
  std::vector<Message> messages;
  std::vector<std::pair<Opcode, std::string>> controls;
  void on_message(Opcode op, std::string_view head, std::uint64_t size) override {
    messages.push_back({op, std::string(head), size});
  }
  void on_control(Opcode op, std::string_view payload) override {
    controls.emplace_back(op, std::string(payload));
  }
};

// A server frame: unmasked, shortest length form.
std::string server_frame(std::uint8_t first, const std::string& payload) {
  std::string f(1, static_cast<char>(first));
  const std::size_t n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(n));
  } else if (n <= 0xffff) {
    f.push_back(126);
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n));
  } else {
    f.push_back(127);
    for (int shift = 56; shift >= 0; shift -= 8)
      f.push_back(static_cast<char>(static_cast<std::uint64_t>(n) >> shift));
  }
  return f + payload;
}

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('A' + i % 26);
  return s;
}

class ParserLengths : public ::testing::TestWithParam<std::size_t> {};

TEST_P(ParserLengths, WholeAndByteByByte) {
  const std::size_t n = GetParam();
  const std::string payload = pattern(n);
  const std::string frame = server_frame(0x81, payload);
  const std::size_t head = std::min(n, FrameParser::head_capacity);
  for (std::size_t chunk : {frame.size(), std::size_t{1}, std::size_t{3}, std::size_t{4096}}) {
    Recorder r;
    FrameParser p(r);
    for (std::size_t at = 0; at < frame.size(); at += chunk)
      ASSERT_TRUE(p.feed(frame.data() + at, std::min(chunk, frame.size() - at))) << p.error();
    ASSERT_EQ(r.messages.size(), 1u) << "chunk " << chunk;
    EXPECT_EQ(r.messages[0].opcode, Opcode::text);
    EXPECT_EQ(r.messages[0].size, n);
    EXPECT_EQ(r.messages[0].head, payload.substr(0, head));
  }
}

INSTANTIATE_TEST_SUITE_P(Lengths, ParserLengths,
                         ::testing::Values(0, 1, 125, 126, 1024, 65535, 65536, 200000));

TEST(FrameParser, ManyFramesInOneRead) {
  std::string bytes;
  for (int i = 0; i < 100; ++i) bytes += server_frame(0x81, std::string("m").append(std::to_string(i)));
  Recorder r;
  FrameParser p(r);
  ASSERT_TRUE(p.feed(bytes.data(), bytes.size()));
  ASSERT_EQ(r.messages.size(), 100u);
  EXPECT_EQ(r.messages[42].head, "m42");
}

TEST(FrameParser, FragmentedMessageWithControlFrameBetween) {
  std::string bytes = server_frame(0x01, "Hel") + server_frame(0x89, "pi") +
                      server_frame(0x00, "lo, ") + server_frame(0x80, "world");
  Recorder r;
  FrameParser p(r);
  ASSERT_TRUE(p.feed(bytes.data(), bytes.size()));
  ASSERT_EQ(r.controls.size(), 1u);
  EXPECT_EQ(r.controls[0].first, Opcode::ping);
  EXPECT_EQ(r.controls[0].second, "pi");
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].head, "Hello, world");
  EXPECT_EQ(r.messages[0].size, 12u);
  EXPECT_FALSE(p.in_message());
}

TEST(FrameParser, HeadKeepsOnlyTheFirstBytesOfALongFragmentedMessage) {
  const std::string a = pattern(700), b = pattern(700);
  std::string bytes = server_frame(0x02, a) + server_frame(0x80, b);
  Recorder r;
  FrameParser p(r);
  ASSERT_TRUE(p.feed(bytes.data(), bytes.size()));
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].opcode, Opcode::binary);
  EXPECT_EQ(r.messages[0].size, 1400u);
  EXPECT_EQ(r.messages[0].head, (a + b).substr(0, FrameParser::head_capacity));
}

TEST(FrameParser, CloseFrameIsReported) {
  const std::string bytes = server_frame(0x88, std::string("\x03\xe8", 2));
  Recorder r;
  FrameParser p(r);
  ASSERT_TRUE(p.feed(bytes.data(), bytes.size()));
  ASSERT_EQ(r.controls.size(), 1u);
  EXPECT_EQ(r.controls[0].first, Opcode::close);
}

struct BadCase {
  const char* name;
  std::string bytes;
};

class ParserErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(ParserErrors, Rejected) {
  Recorder r;
  FrameParser p(r);
  EXPECT_FALSE(p.feed(GetParam().bytes.data(), GetParam().bytes.size())) << GetParam().name;
  EXPECT_FALSE(p.error().empty());
  EXPECT_FALSE(p.feed("\x81\x00", 2)) << "a failed parser stays failed";
}

INSTANTIATE_TEST_SUITE_P(
    Bad, ParserErrors,
    ::testing::Values(
        BadCase{"masked server frame", std::string("\x81\x81\x00\x00\x00\x00x", 7)},
        BadCase{"reserved bit", std::string("\xc1\x00", 2)},
        BadCase{"reserved opcode", std::string("\x83\x00", 2)},
        BadCase{"continuation without a message", std::string("\x80\x00", 2)},
        BadCase{"new message inside a fragmented one", std::string("\x01\x00\x81\x00", 4)},
        BadCase{"fragmented ping", std::string("\x09\x00", 2)},
        BadCase{"long ping", server_frame(0x89, std::string(126, 'p'))},
        BadCase{"16-bit length under 126", std::string("\x81\x7e\x00\x05", 4)},
        BadCase{"64-bit length under 65536", std::string("\x81\x7f\0\0\0\0\0\0\x01\0", 10)},
        BadCase{"64-bit length top bit", std::string("\x81\x7f\x80\0\0\0\0\0\0\0", 10)}),
    [](const auto& info) {
      std::string n = info.param.name;
      for (auto& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });

}  // namespace
