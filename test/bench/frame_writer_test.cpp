#include "bench/frame_writer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace {

using bench::MaskKey;
using bench::Opcode;

constexpr MaskKey key = {0x37, 0xfa, 0x21, 0x3d};

std::uint8_t byte(const std::string& s, std::size_t i) { return static_cast<std::uint8_t>(s[i]); }

// Undoes the client framing the way a server does, to check what the writer produced.
std::string unmask_payload(const std::string& frame, std::size_t header) {
  std::string p = frame.substr(header);
  MaskKey k;
  for (int i = 0; i < 4; ++i) k[i] = byte(frame, header - 4 + i);
  bench::apply_mask(p.data(), p.size(), k);
  return p;
}

TEST(FrameWriter, RfcExampleHelloMasked) {
  // RFC 6455 §5.7: a masked "Hello".
  std::string out;
  bench::append_client_frame(out, Opcode::text, "Hello", key);
  const std::string expected = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
  EXPECT_EQ(out, expected);
}

struct LengthCase {
  std::size_t length;
  std::size_t header;  // including the 4-byte key
};

class FrameWriterLengths : public ::testing::TestWithParam<LengthCase> {};

TEST_P(FrameWriterLengths, ChoosesTheShortestLengthForm) {
  const auto [n, header] = GetParam();
  std::string payload(n, 'a');
  for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>('a' + i % 26);
  std::string out;
  bench::append_client_frame(out, Opcode::binary, payload, key);
  ASSERT_EQ(out.size(), header + n);
  EXPECT_EQ(bench::client_header_size(n), header);
  EXPECT_EQ(byte(out, 0), 0x82);
  EXPECT_EQ(byte(out, 1) & 0x80, 0x80) << "client frames are masked";
  const std::uint8_t len7 = byte(out, 1) & 0x7f;
  if (n < 126) {
    EXPECT_EQ(len7, n);
  } else if (n <= 0xffff) {
    EXPECT_EQ(len7, 126);
    EXPECT_EQ((std::size_t{byte(out, 2)} << 8) | byte(out, 3), n);
  } else {
    EXPECT_EQ(len7, 127);
    std::uint64_t len = 0;
    for (int i = 2; i < 10; ++i) len = (len << 8) | byte(out, i);
    EXPECT_EQ(len, n);
  }
  EXPECT_EQ(unmask_payload(out, header), payload);
  if (n > 0) {
    EXPECT_NE(out.substr(header), payload) << "payload must be masked";
  }
}

INSTANTIATE_TEST_SUITE_P(Lengths, FrameWriterLengths,
                         ::testing::Values(LengthCase{0, 6}, LengthCase{125, 6},
                                           LengthCase{126, 8}, LengthCase{65535, 8},
                                           LengthCase{65536, 14}));

TEST(FrameWriter, FragmentsClearFinAndAppend) {
  std::string out;
  bench::append_client_frame(out, Opcode::text, "ab", key, false);
  bench::append_client_frame(out, Opcode::continuation, "cd", key, true);
  ASSERT_EQ(out.size(), 2 * 8u);
  EXPECT_EQ(byte(out, 0), 0x01);
  EXPECT_EQ(byte(out, 8), 0x80);
  EXPECT_EQ(unmask_payload(out.substr(0, 8), 6), "ab");
  EXPECT_EQ(unmask_payload(out.substr(8), 6), "cd");
}

TEST(FrameWriter, MaskIsItsOwnInverseAtAnyOffsetAndLength) {
  for (std::size_t n : {0u, 1u, 7u, 8u, 9u, 64u, 1001u}) {
    for (std::size_t offset = 0; offset < 4; ++offset) {
      std::string data(n, '\0');
      for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<char>(i * 7);
      const std::string original = data;
      bench::apply_mask(data.data(), n, key, offset);
      for (std::size_t i = 0; i < n; ++i)
        ASSERT_EQ(static_cast<std::uint8_t>(data[i]),
                  static_cast<std::uint8_t>(original[i] ^ key[(offset + i) % 4]));
      bench::apply_mask(data.data(), n, key, offset);
      EXPECT_EQ(data, original);
    }
  }
}

}  // namespace
