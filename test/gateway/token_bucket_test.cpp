#include "gateway/token_bucket.hpp"

#include <gtest/gtest.h>

namespace gateway {
namespace {

using Clock = TokenBucket::Clock;
using std::chrono::milliseconds;

TEST(TokenBucket, StartsFullAndThrottlesPastTheBurst) {
  const auto t0 = Clock::now();
  const RateLimit l{5, 10};
  TokenBucket b(l, t0);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(b.take(l, t0)) << i;
  EXPECT_FALSE(b.take(l, t0));
}

TEST(TokenBucket, RefillsAtTheRateUpToTheBurst) {
  const auto t0 = Clock::now();
  const RateLimit l{5, 10};
  TokenBucket b(l, t0);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(b.take(l, t0));
  EXPECT_FALSE(b.take(l, t0 + milliseconds(100)));  // half a token
  EXPECT_TRUE(b.take(l, t0 + milliseconds(200)));   // one token
  EXPECT_FALSE(b.take(l, t0 + milliseconds(200)));
  // an hour later: no more than the burst
  const auto later = t0 + std::chrono::hours(1);
  EXPECT_TRUE(b.full(l, later));
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(b.take(l, later)) << i;
  EXPECT_FALSE(b.take(l, later));
}

TEST(TokenBucket, RateZeroIsUnlimited) {
  const auto t0 = Clock::now();
  const RateLimit l{0, 0};
  TokenBucket b(l, t0);
  for (int i = 0; i < 100000; ++i) ASSERT_TRUE(b.take(l, t0));
  EXPECT_TRUE(b.full(l, t0));
}

TEST(TokenBucket, ABurstBelowOneStillLetsOneThrough) {
  const auto t0 = Clock::now();
  const RateLimit l{1, 0};
  TokenBucket b(l, t0);
  EXPECT_TRUE(b.take(l, t0));
  EXPECT_FALSE(b.take(l, t0));
}

TEST(TokenBucket, TimeGoingBackwardsGivesNoTokens) {
  const auto t0 = Clock::now();
  const RateLimit l{1, 1};
  TokenBucket b(l, t0);
  EXPECT_TRUE(b.take(l, t0));
  EXPECT_FALSE(b.take(l, t0 - std::chrono::seconds(5)));
}

TEST(KeyedBuckets, OneBucketPerKey) {
  const auto t0 = Clock::now();
  KeyedBuckets k({1, 2});
  EXPECT_TRUE(k.take("a", t0));
  EXPECT_TRUE(k.take("a", t0));
  EXPECT_FALSE(k.take("a", t0));
  EXPECT_TRUE(k.take("b", t0));
  EXPECT_EQ(k.size(), 2u);
}

TEST(KeyedBuckets, PruneForgetsOnlyFullBuckets) {
  const auto t0 = Clock::now();
  KeyedBuckets k({1, 2});
  ASSERT_TRUE(k.take("a", t0));
  ASSERT_TRUE(k.take("b", t0));
  ASSERT_TRUE(k.take("b", t0 + milliseconds(1500)));
  k.prune(t0 + milliseconds(1500));  // a: full again; b: not
  EXPECT_EQ(k.size(), 1u);
  k.prune(t0 + std::chrono::seconds(10));
  EXPECT_EQ(k.size(), 0u);
}

TEST(KeyedBuckets, DisabledKeepsNoState) {
  KeyedBuckets k({0, 0});
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(k.take(std::to_string(i), Clock::now()));
  EXPECT_EQ(k.size(), 0u);
}

}  // namespace
}  // namespace gateway
