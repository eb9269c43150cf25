#include "core/clock.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace {

constexpr std::int64_t feb_1_2025_10h = 1738404000000;  // 2025-02-01T10:00:00Z

TEST(Iso8601Ms, FormatsAKnownInstant) {
  EXPECT_EQ(core::iso8601_ms(feb_1_2025_10h), "2025-02-01T10:00:00.000Z");
}

TEST(Iso8601Ms, KeepsMillisecondsWithThreeDigits) {
  EXPECT_EQ(core::iso8601_ms(1738404271250), "2025-02-01T10:04:31.250Z");
  EXPECT_EQ(core::iso8601_ms(feb_1_2025_10h + 7), "2025-02-01T10:00:00.007Z");
  EXPECT_EQ(core::iso8601_ms(feb_1_2025_10h + 999), "2025-02-01T10:00:00.999Z");
}

TEST(Iso8601Ms, FormatsEpochLeapDayAndPast2038) {
  EXPECT_EQ(core::iso8601_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(core::iso8601_ms(1709251199999), "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(core::iso8601_ms(951868800000), "2000-03-01T00:00:00.000Z");
  EXPECT_EQ(core::iso8601_ms(2147483648000), "2038-01-19T03:14:08.000Z");
}

TEST(ClfTime, FormatsAKnownInstant) {
  EXPECT_EQ(core::clf_time(feb_1_2025_10h), "01/Feb/2025:10:00:00 +0000");
  // The example of aws-contract.md §2.1.
  EXPECT_EQ(core::clf_time(1705751708000), "20/Jan/2024:11:55:08 +0000");
}

TEST(ClfTime, DropsMilliseconds) {
  EXPECT_EQ(core::clf_time(feb_1_2025_10h + 999), "01/Feb/2025:10:00:00 +0000");
}

TEST(ClfTime, NamesEveryMonthInEnglish) {
  // The 15th of each month of 2025 at 12:34:56 UTC.
  const std::vector<std::int64_t> secs{1736944496, 1739622896, 1742042096, 1744720496,
                                       1747312496, 1749990896, 1752582896, 1755261296,
                                       1757939696, 1760531696, 1763210096, 1765802096};
  const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < secs.size(); ++i) {
    EXPECT_EQ(core::clf_time(secs[i] * 1000), std::string("15/") + months[i] + "/2025:12:34:56 +0000");
  }
}

TEST(ClfTime, PadsDayAndTimeWithZeros) {
  EXPECT_EQ(core::clf_time(0), "01/Jan/1970:00:00:00 +0000");
  EXPECT_EQ(core::clf_time(1709251199999), "29/Feb/2024:23:59:59 +0000");
}

TEST(NowMs, IsSystemClockInMilliseconds) {
  using namespace std::chrono;
  const auto before = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  const auto now = core::now_ms();
  const auto after = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
  EXPECT_GT(now, feb_1_2025_10h);  // milliseconds, not seconds
}

}  // namespace
