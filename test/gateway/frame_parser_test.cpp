#include "gateway/frame_parser.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace gateway::ws {
namespace {

using Kind = FrameParser::Kind;

// A client frame: masked, as RFC 6455 requires of clients.
std::vector<std::uint8_t> frame(std::uint8_t first_byte, std::string_view payload,
                                bool masked = true) {
  std::vector<std::uint8_t> f{first_byte};
  const std::size_t len = payload.size();
  const std::uint8_t mask_bit = masked ? 0x80 : 0;
  if (len < 126) {
    f.push_back(static_cast<std::uint8_t>(mask_bit | len));
  } else if (len <= 0xFFFF) {
    f.push_back(mask_bit | 126);
    f.push_back(static_cast<std::uint8_t>(len >> 8));
    f.push_back(static_cast<std::uint8_t>(len));
  } else {
    f.push_back(mask_bit | 127);
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<std::uint8_t>(len >> (8 * i)));
  }
  const std::uint8_t key[4] = {0x12, 0x34, 0x56, 0x78};
  if (masked) f.insert(f.end(), key, key + 4);
  for (std::size_t i = 0; i < len; ++i)
    f.push_back(static_cast<std::uint8_t>(payload[i]) ^ (masked ? key[i & 3] : 0));
  return f;
}

std::vector<std::uint8_t> text(std::string_view s, bool fin = true) {
  return frame(static_cast<std::uint8_t>((fin ? 0x80 : 0) | 0x1), s);
}
std::vector<std::uint8_t> cont(std::string_view s, bool fin) {
  return frame(static_cast<std::uint8_t>((fin ? 0x80 : 0) | 0x0), s);
}

std::vector<std::uint8_t> join(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// Every event the bytes produce, fed in pieces of `step` bytes.
std::vector<FrameParser::Event> events(const std::vector<std::uint8_t>& bytes,
                                       std::size_t step = 1 << 20,
                                       ParserLimits limits = {}) {
  FrameParser p(limits);
  std::vector<FrameParser::Event> out;
  for (std::size_t at = 0; at < bytes.size();) {
    const std::size_t end = std::min(bytes.size(), at + step);
    std::size_t off = at;
    while (off < end) {
      FrameParser::Event ev;
      off += p.parse(bytes.data() + off, end - off, ev);
      if (ev.kind != Kind::none) out.push_back(ev);
    }
    at = end;
  }
  return out;
}

TEST(FrameParser, OneTextMessage) {
  auto ev = events(text("hello"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, Kind::text);
  EXPECT_EQ(ev[0].payload, "hello");
}

TEST(FrameParser, ByteByByteGivesTheSameMessages) {
  const std::string big(70000, 'x');
  auto bytes = join({text("a"), text(std::string(300, 'b')), text("c")});
  for (std::size_t step : {1u, 2u, 3u, 7u, 64u}) {
    auto ev = events(bytes, step);
    ASSERT_EQ(ev.size(), 3u) << step;
    EXPECT_EQ(ev[1].payload, std::string(300, 'b'));
  }
}

TEST(FrameParser, LengthEncodings) {
  for (std::size_t n : {0u, 125u, 126u, 65535u}) {
    ParserLimits limits{1 << 20, 1 << 20};
    auto ev = events(text(std::string(n, 'q')), 1 << 20, limits);
    ASSERT_EQ(ev.size(), 1u) << n;
    EXPECT_EQ(ev[0].payload.size(), n);
  }
  ParserLimits limits{1 << 20, 1 << 20};
  auto ev = events(text(std::string(65536, 'q')), 1000, limits);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].payload.size(), 65536u);
}

TEST(FrameParser, FragmentedMessageWithInterleavedPing) {
  auto bytes = join({text("Hel", false), frame(0x89, "p!"), cont("lo ", false), cont("you", true)});
  auto ev = events(bytes, 5);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, Kind::ping);
  EXPECT_EQ(ev[0].payload, "p!");
  EXPECT_EQ(ev[1].kind, Kind::text);
  EXPECT_EQ(ev[1].payload, "Hello you");
}

TEST(FrameParser, CloseWithAndWithoutCode) {
  auto ev = events(frame(0x88, std::string("\x03\xe8", 2) + "bye"));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, Kind::close);
  EXPECT_EQ(ev[0].code, 1000);
  EXPECT_EQ(ev[0].payload, "bye");
  ev = events(frame(0x88, ""));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].code, close_code::no_status);
}

TEST(FrameParser, BadCloseFramesAreProtocolErrors) {
  EXPECT_EQ(events(frame(0x88, "x"))[0].code, close_code::protocol_error);  // one byte
  EXPECT_EQ(events(frame(0x88, std::string("\x03\xed", 2)))[0].code,        // 1005 on the wire
            close_code::protocol_error);
  EXPECT_EQ(events(frame(0x88, std::string("\x03\xe8\xff", 3)))[0].code,    // bad UTF-8 reason
            close_code::invalid_payload);
}

TEST(FrameParser, ProtocolViolationsAre1002) {
  auto code = [](const std::vector<std::uint8_t>& b) {
    auto ev = events(b);
    return ev.empty() ? 0 : ev[0].code;
  };
  EXPECT_EQ(code(frame(0x81, "x", false)), close_code::protocol_error);  // unmasked
  EXPECT_EQ(code(frame(0xC1, "x")), close_code::protocol_error);         // RSV1 set
  EXPECT_EQ(code(frame(0x83, "x")), close_code::protocol_error);         // opcode 3
  EXPECT_EQ(code(cont("x", true)), close_code::protocol_error);          // nothing to continue
  EXPECT_EQ(code(join({text("a", false), text("b")})), close_code::protocol_error);
  EXPECT_EQ(code(frame(0x09, "p")), close_code::protocol_error);         // fragmented ping
  EXPECT_EQ(code(frame(0x89, std::string(126, 'p'))), close_code::protocol_error);
}

TEST(FrameParser, AfterAProtocolErrorNothingMoreIsRead) {
  auto ev = events(join({frame(0xC1, "x"), text("later"), frame(0x88, "")}));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, Kind::error);
}

TEST(FrameParser, OversizeFrameIs1009AndTheCloseStillComesThrough) {
  auto ev = events(join({text(std::string(32769, 'x')), text("skipped"),
                         frame(0x88, std::string("\x03\xe8", 2))}));
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, Kind::error);
  EXPECT_EQ(ev[0].code, close_code::too_big);
  EXPECT_EQ(ev[1].kind, Kind::close);
  EXPECT_EQ(ev[1].code, 1000);
}

TEST(FrameParser, FramesUnderTheLimitAddingUpOverTheMessageLimitAre1009) {
  std::vector<std::vector<std::uint8_t>> parts;
  auto bytes = text(std::string(30000, 'a'), false);
  for (int i = 0; i < 4; ++i) {
    auto c = cont(std::string(30000, 'b'), i == 3);
    bytes.insert(bytes.end(), c.begin(), c.end());
  }
  auto ev = events(bytes);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].code, close_code::too_big);
  EXPECT_EQ(ev[0].payload, "Message too big");
}

TEST(FrameParser, BinaryIs1003) {
  auto ev = events(join({frame(0x82, "\x01\x02"), frame(0x88, "")}));
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].code, close_code::unsupported_data);
  EXPECT_EQ(ev[1].kind, Kind::close);
}

TEST(FrameParser, InvalidUtf8Is1007EvenAcrossFragments) {
  EXPECT_EQ(events(text("\xc0\x80"))[0].code, close_code::invalid_payload);  // overlong
  EXPECT_EQ(events(text("\xed\xa0\x80"))[0].code, close_code::invalid_payload);  // surrogate
  // A valid 4-byte character split over two frames is fine...
  auto ok = events(join({text("\xf0\x9f", false), cont("\x98\x80", true)}));
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].kind, Kind::text);
  // ...a truncated one at the end of the message is not.
  EXPECT_EQ(events(text("ab\xf0\x9f"))[0].code, close_code::invalid_payload);
}

// The payload of a control frame leaves with its event: between frames the parser holds nothing.
TEST(FrameParser, HoldsNoBufferBetweenFrames) {
  FrameParser p({});
  const std::string data(100, 'p');
  std::string frame = {'\x89', static_cast<char>(0x80 | data.size()), 0, 0, 0, 0};  // zero mask
  frame += data;
  FrameParser::Event ev;
  const std::size_t used =
      p.parse(reinterpret_cast<const std::uint8_t*>(frame.data()), frame.size(), ev);
  EXPECT_EQ(used, frame.size());
  EXPECT_EQ(ev.kind, Kind::ping);
  EXPECT_EQ(ev.payload, data);
  EXPECT_EQ(p.held_bytes(), 0u);
}

// Every connection holds a parser (issue 18): the control frame's buffer is allocated only
// while one arrives, the header reader counts in bytes.
static_assert(sizeof(FrameParser) <= 136);

// A control frame split over reads is held until it is whole, then leaves with its event;
// a close's payload too, so a closed connection holds no control buffer either.
TEST(FrameParser, HoldsAControlFrameOnlyWhileItArrives) {
  FrameParser p({});
  const std::string reason(60, 'r');
  const auto close = frame(0x88, std::string("\x03\xe8") + reason);
  FrameParser::Event ev;
  EXPECT_EQ(p.parse(close.data(), 20, ev), 20u);
  EXPECT_EQ(ev.kind, Kind::none);
  EXPECT_GT(p.held_bytes(), 0u);
  EXPECT_EQ(p.parse(close.data() + 20, close.size() - 20, ev), close.size() - 20);
  EXPECT_EQ(ev.kind, Kind::close);
  EXPECT_EQ(ev.code, 1000);
  EXPECT_EQ(ev.payload, reason);
  EXPECT_EQ(p.held_bytes(), 0u);
  // A ping between the fragments of a message: both buffers at once, each whole.
  const auto first = text("hello ", false), ping = frame(0x89, "are you there"),
             last = cont("world", true);
  EXPECT_EQ(p.parse(first.data(), first.size(), ev), first.size());
  EXPECT_EQ(p.parse(ping.data(), ping.size(), ev), ping.size());
  EXPECT_EQ(ev.kind, Kind::ping);
  EXPECT_EQ(ev.payload, "are you there");
  EXPECT_EQ(p.parse(last.data(), last.size(), ev), last.size());
  EXPECT_EQ(ev.kind, Kind::text);
  EXPECT_EQ(ev.payload, "hello world");
  EXPECT_EQ(p.held_bytes(), 0u);
}

}  // namespace
}  // namespace gateway::ws
