#include "ws/frame.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace ws {
namespace {

constexpr MaskKey key = {0x37, 0xfa, 0x21, 0x3d};

std::uint8_t byte(const std::string& s, std::size_t i) { return static_cast<std::uint8_t>(s[i]); }

// Undoes the client framing the way a server does, to check what the writer produced.
std::string unmask_payload(const std::string& frame, std::size_t header) {
  std::string p = frame.substr(header);
  MaskKey k;
  for (int i = 0; i < 4; ++i) k[i] = byte(frame, header - 4 + i);
  apply_mask(p.data(), p.size(), k);
  return p;
}

TEST(ClientFrame, RfcExampleHelloMasked) {
  // RFC 6455 §5.7: a masked "Hello".
  std::string out;
  append_client_frame(out, Opcode::text, "Hello", key);
  const std::string expected = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
  EXPECT_EQ(out, expected);
}

struct LengthCase {
  std::size_t length;
  std::size_t header;  // including the 4-byte key
};

class ClientFrameLengths : public ::testing::TestWithParam<LengthCase> {};

TEST_P(ClientFrameLengths, ChoosesTheShortestLengthForm) {
  const auto [n, header] = GetParam();
  std::string payload(n, 'a');
  for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>('a' + i % 26);
  std::string out;
  append_client_frame(out, Opcode::binary, payload, key);
  ASSERT_EQ(out.size(), header + n);
  EXPECT_EQ(header_size(n, true), header);
  EXPECT_EQ(header_size(n, false), header - 4);
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

INSTANTIATE_TEST_SUITE_P(Lengths, ClientFrameLengths,
                         ::testing::Values(LengthCase{0, 6}, LengthCase{125, 6},
                                           LengthCase{126, 8}, LengthCase{65535, 8},
                                           LengthCase{65536, 14}));

TEST(ClientFrame, FragmentsClearFinAndAppend) {
  std::string out;
  append_client_frame(out, Opcode::text, "ab", key, false);
  append_client_frame(out, Opcode::continuation, "cd", key, true);
  ASSERT_EQ(out.size(), 2 * 8u);
  EXPECT_EQ(byte(out, 0), 0x01);
  EXPECT_EQ(byte(out, 8), 0x80);
  EXPECT_EQ(unmask_payload(out.substr(0, 8), 6), "ab");
  EXPECT_EQ(unmask_payload(out.substr(8), 6), "cd");
}

TEST(ClientFrame, MaskIsItsOwnInverseAtAnyOffsetAndLength) {
  for (std::size_t n : {0u, 1u, 7u, 8u, 9u, 64u, 1001u}) {
    for (std::size_t offset = 0; offset < 4; ++offset) {
      std::string data(n, '\0');
      for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<char>(i * 7);
      const std::string original = data;
      apply_mask(data.data(), n, key, offset);
      for (std::size_t i = 0; i < n; ++i)
        ASSERT_EQ(static_cast<std::uint8_t>(data[i]),
                  static_cast<std::uint8_t>(original[i] ^ key[(offset + i) % 4]));
      apply_mask(data.data(), n, key, offset);
      EXPECT_EQ(data, original);
    }
  }
}

TEST(ClientFrame, UnmaskCopyAgreesWithApplyMaskAtAnyOffset) {
  // The gateway's unmasking (a copy) and the generator's (in place) must be the same function.
  std::string data(1001, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 13);
  for (std::size_t offset = 0; offset < 8; ++offset) {
    std::string in_place = data;
    apply_mask(in_place.data(), in_place.size(), key, offset);
    std::string copied(data.size(), '\0');
    unmask_copy(reinterpret_cast<std::uint8_t*>(copied.data()),
                reinterpret_cast<const std::uint8_t*>(data.data()), data.size(), key, offset);
    EXPECT_EQ(copied, in_place) << "offset " << offset;
  }
}

struct ServerCase {
  std::uint64_t length;
  std::string header;
};

class ServerHeader : public ::testing::TestWithParam<ServerCase> {};

TEST_P(ServerHeader, IsUnmaskedInTheShortestLengthForm) {
  std::uint8_t out[max_header];
  const std::size_t n = encode_header(out, Opcode::text, true, GetParam().length);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(out), n), GetParam().header);
  EXPECT_EQ(n, header_size(GetParam().length, false));
}

INSTANTIATE_TEST_SUITE_P(
    Lengths, ServerHeader,
    ::testing::Values(ServerCase{0, std::string("\x81\x00", 2)}, ServerCase{125, "\x81\x7d"},
                      ServerCase{126, std::string("\x81\x7e\x00\x7e", 4)},
                      ServerCase{65535, "\x81\x7e\xff\xff"},
                      ServerCase{65536, std::string("\x81\x7f\0\0\0\0\0\x01\0\0", 10)},
                      ServerCase{std::uint64_t{1} << 40, std::string("\x81\x7f\0\0\x01\0\0\0\0\0", 10)}));

TEST(ServerHeader, ContinuationWithoutFin) {
  std::uint8_t out[max_header];
  ASSERT_EQ(encode_header(out, Opcode::continuation, false, 3), 2u);
  EXPECT_EQ(out[0], 0x00);
  EXPECT_EQ(out[1], 0x03);
}

TEST(ClosePayload, CodeInNetworkOrderThenTheReason) {
  EXPECT_EQ(close_payload(1001, "Going away"), std::string("\x03\xe9Going away", 12));
  EXPECT_TRUE(close_payload(close_code::no_status, "x").empty());
  EXPECT_TRUE(close_payload(close_code::abnormal, "x").empty());
}

TEST(ClosePayload, CutsAtACharacterBoundary) {
  std::string reason(122, 'a');
  reason += "\xc3\xa9";  // é straddles byte 123
  EXPECT_EQ(close_payload(1000, reason).size(), 2u + 122u);
  EXPECT_EQ(close_payload(1000, std::string(200, 'b')).size(), 125u);
}

TEST(CloseCode, WhatAPeerMaySend) {
  for (std::uint16_t ok : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1014, 3000, 4999})
    EXPECT_TRUE(valid_close_code(ok)) << ok;
  for (std::uint16_t bad : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000})
    EXPECT_FALSE(valid_close_code(bad)) << bad;
}

}  // namespace
}  // namespace ws
