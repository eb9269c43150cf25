#include "ws/header_reader.hpp"

#include <string>

#include <gtest/gtest.h>

namespace ws {
namespace {

constexpr MaskKey key = {0x12, 0x34, 0x56, 0x78};

std::string header(Opcode op, bool fin, std::uint64_t length, bool masked) {
  std::uint8_t out[max_masked_header];
  return std::string(reinterpret_cast<const char*>(out),
                     encode_header(out, op, fin, length, masked ? &key : nullptr));
}

struct Fed {
  HeaderReader::Status status = HeaderReader::Status::more;
  std::size_t used = 0;
};

// Feeds `bytes` in pieces of `step` until the reader stops asking for more.
Fed feed(HeaderReader& r, const std::string& bytes, std::size_t step = 64) {
  Fed f;
  while (f.used < bytes.size() && f.status == HeaderReader::Status::more) {
    const std::size_t n = std::min(step, bytes.size() - f.used);
    f.used += r.feed(reinterpret_cast<const std::uint8_t*>(bytes.data()) + f.used, n, f.status);
  }
  return f;
}

class EveryLengthForm : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(EveryLengthForm, MaskedAndUnmaskedWholeAndByteByByte) {
  const std::uint64_t n = GetParam();
  for (bool masked : {true, false}) {
    for (std::size_t step : {std::size_t{1}, std::size_t{3}, std::size_t{64}}) {
      const std::string h = header(Opcode::text, true, n, masked);
      HeaderReader r(masked);
      // A following byte must be left alone: it is payload.
      const Fed f = feed(r, h + "P", step);
      ASSERT_EQ(f.status, HeaderReader::Status::done) << r.error();
      EXPECT_EQ(f.used, h.size()) << "masked " << masked << " step " << step;
      EXPECT_EQ(r.header().length, n);
      EXPECT_TRUE(r.header().fin);
      EXPECT_EQ(r.header().opcode, Opcode::text);
      EXPECT_EQ(r.header().mask, masked ? key : MaskKey{});
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Lengths, EveryLengthForm,
                         ::testing::Values(0, 1, 125, 126, 65535, 65536,
                                           std::uint64_t{1} << 40, (std::uint64_t{1} << 63) - 1));

TEST(HeaderReader, ReadsOneHeaderAfterAnother) {
  HeaderReader r(true);
  const std::string two = header(Opcode::text, false, 300, true) + header(Opcode::ping, true, 0, true);
  HeaderReader::Status s;
  const auto* p = reinterpret_cast<const std::uint8_t*>(two.data());
  const std::size_t first = r.feed(p, two.size(), s);
  ASSERT_EQ(s, HeaderReader::Status::done);
  EXPECT_FALSE(r.header().fin);
  EXPECT_EQ(r.header().length, 300u);
  EXPECT_EQ(r.feed(p + first, two.size() - first, s), two.size() - first);
  ASSERT_EQ(s, HeaderReader::Status::done);
  EXPECT_EQ(r.header().opcode, Opcode::ping);
  EXPECT_EQ(r.header().length, 0u);
}

struct Bad {
  const char* name;
  bool masked;  // what the reader expects
  std::string bytes;
  const char* error;
};

class BadHeaders : public ::testing::TestWithParam<Bad> {};

TEST_P(BadHeaders, AreRefusedWithAReason) {
  const Bad& b = GetParam();
  for (std::size_t step : {std::size_t{1}, std::size_t{64}}) {
    HeaderReader r(b.masked);
    const Fed f = feed(r, b.bytes, step);
    EXPECT_EQ(f.status, HeaderReader::Status::error) << b.name;
    EXPECT_STREQ(r.error(), b.error) << b.name;
  }
}

const std::string k4("\x12\x34\x56\x78", 4);

INSTANTIATE_TEST_SUITE_P(
    Bad, BadHeaders,
    ::testing::Values(
        Bad{"unmasked_client_frame", true, std::string("\x81\x01", 2), "Client frames must be masked"},
        Bad{"masked_server_frame", false, "\x81\x81" + k4, "Server frames must not be masked"},
        Bad{"rsv1", true, "\xc1\x80" + k4, "Reserved bits set"},
        Bad{"rsv3", false, std::string("\x91\x00", 2), "Reserved bits set"},
        Bad{"opcode_3", true, "\x83\x80" + k4, "Unknown opcode"},
        Bad{"opcode_b", false, std::string("\x8b\x00", 2), "Unknown opcode"},
        Bad{"fragmented_ping", true, "\x09\x80" + k4, "Fragmented control frame"},
        Bad{"long_close", false, std::string("\x88\x7e\x00\x7e", 4), "Control frame too long"},
        Bad{"16_bit_under_126", true, std::string("\x81\xfe\x00\x7d", 4) + k4, "Non-minimal length"},
        Bad{"64_bit_under_65536", false, std::string("\x81\x7f\0\0\0\0\0\0\xff\xff", 10),
            "Non-minimal length"},
        Bad{"64_bit_top_bit", true, std::string("\x81\xff\x80\0\0\0\0\0\0\0", 10) + k4,
            "Length out of range"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace ws
