#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

namespace {

bool matches(const std::string& s, const char* pattern) {
  return std::regex_match(s, std::regex(pattern));
}

// Cheaper than a regex in loops of thousands (std::regex is slow in Debug builds).
bool only(std::string_view s, std::string_view alphabet) {
  return s.find_first_not_of(alphabet) == std::string_view::npos;
}

constexpr std::string_view url_safe =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

TEST(ConnectionId, HasApiGatewayShape) {
  for (int i = 0; i < 1000; ++i) {
    const auto id = core::new_connection_id();
    ASSERT_EQ(id.size(), 16u) << id;
    ASSERT_TRUE(only(std::string_view(id).substr(0, 15), url_safe)) << id;
    ASSERT_EQ(id.back(), '=') << id;
  }
}

TEST(ConnectionId, MatchesTheContractPattern) {
  const auto id = core::new_connection_id();
  EXPECT_TRUE(matches(id, "^[A-Za-z0-9_-]{15}=$")) << id;
}

TEST(ConnectionId, HundredThousandAreUnique) {
  constexpr int n = 100'000;
  std::unordered_set<std::string> seen;
  seen.reserve(n);
  for (int i = 0; i < n; ++i) seen.insert(core::new_connection_id());
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(n));
}

// Each thread has its own generator: their seeds must differ or threads would repeat ids.
TEST(ConnectionId, UniqueAcrossThreads) {
  constexpr int threads = 4, per_thread = 25'000;
  std::vector<std::vector<std::string>> got(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&got, t] {
      got[t].reserve(per_thread);
      for (int i = 0; i < per_thread; ++i) got[t].push_back(core::new_connection_id());
    });
  }
  for (auto& th : pool) th.join();
  std::unordered_set<std::string> seen;
  for (const auto& v : got) seen.insert(v.begin(), v.end());
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(threads * per_thread));
}

// '-' and '_' must actually occur, or URL-encoding bugs would not show up locally.
TEST(ConnectionId, UsesTheWholeUrlSafeAlphabet) {
  std::set<char> chars;
  for (int i = 0; i < 10'000; ++i) {
    const auto id = core::new_connection_id();
    chars.insert(id.begin(), id.end() - 1);
  }
  EXPECT_EQ(chars.size(), 64u);
  EXPECT_TRUE(chars.count('-'));
  EXPECT_TRUE(chars.count('_'));
}

TEST(ApiId, MatchesThePattern) {
  EXPECT_TRUE(matches(core::new_api_id(), "^[a-z0-9]{10}$"));
}

TEST(ApiId, IsTenLowercaseAlphanumerics) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto id = core::new_api_id();
    ASSERT_EQ(id.size(), 10u) << id;
    ASSERT_TRUE(only(id, "abcdefghijklmnopqrstuvwxyz0123456789")) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(HexId, IsThirtyTwoLowercaseHexAndUnique) {
  std::unordered_set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) {
    const auto id = core::new_hex_id();
    ASSERT_EQ(id.size(), 32u) << id;
    ASSERT_TRUE(only(id, "0123456789abcdef")) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10'000u);
}

TEST(HexId, UsesEverySixteenDigits) {
  std::set<char> chars;
  for (int i = 0; i < 100; ++i) {
    const auto id = core::new_hex_id();
    chars.insert(id.begin(), id.end());
  }
  EXPECT_EQ(chars.size(), 16u);
}

TEST(TraceId, HasXRayShape) {
  const auto id = core::new_trace_id(1738404000);
  EXPECT_TRUE(matches(id, "^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$")) << id;
}

TEST(TraceId, EncodesEpochSecondsAsEightHexDigits) {
  EXPECT_EQ(core::new_trace_id(1738404000).substr(0, 15), "Root=1-679df0a0");
  EXPECT_EQ(core::new_trace_id(0).substr(0, 15), "Root=1-00000000");
  EXPECT_EQ(core::new_trace_id(0xabcdef).substr(0, 15), "Root=1-00abcdef");
}

TEST(TraceId, RandomPartDiffers) {
  EXPECT_NE(core::new_trace_id(1738404000), core::new_trace_id(1738404000));
}

}  // namespace
