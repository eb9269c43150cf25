#include "bench/histogram.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace {

using bench::Histogram;

TEST(Histogram, EmptyIsZero) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(50), 0u);
  EXPECT_EQ(h.max(), 0u);
}

TEST(Histogram, NearestRankOnExactValues) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);  // below 128: exact buckets
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.percentile(50), 50u);
  EXPECT_EQ(h.percentile(90), 90u);
  EXPECT_EQ(h.percentile(99), 99u);
  EXPECT_EQ(h.percentile(100), 100u);
  EXPECT_EQ(h.percentile(0), 1u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 100u);
}

TEST(Histogram, OneOutlierOnlyMovesTheTop) {
  Histogram h;
  for (int i = 0; i < 999; ++i) h.record(10);
  h.record(5'000'000);
  EXPECT_EQ(h.percentile(99), 10u);
  EXPECT_EQ(h.percentile(99.9), 10u);
  EXPECT_EQ(h.percentile(100), 5'000'000u);
}

TEST(Histogram, RelativeErrorWithinOneBucket) {
  for (std::uint64_t v : {128ull, 129ull, 1000ull, 65'537ull, 1'234'567ull, 987'654'321ull,
                          (1ull << 40) + 12345}) {
    Histogram h;
    h.record(v);
    h.record(0);  // keeps max() from capping the bucket bound
    const std::uint64_t p = h.percentile(100);
    EXPECT_GE(p, v);
    const std::uint64_t bound = Histogram::bucket_high(Histogram::bucket_of(v));
    EXPECT_GE(bound, v);
    EXPECT_LE(static_cast<double>(bound - v), static_cast<double>(v) / 64.0) << v;
  }
}

TEST(Histogram, BucketsAreOrderedAndContiguous) {
  std::uint64_t previous_high = 0;
  for (std::size_t i = 1; i < 2000; ++i) {
    const std::uint64_t high = Histogram::bucket_high(i);
    EXPECT_GT(high, previous_high);
    EXPECT_EQ(Histogram::bucket_of(high), i);
    EXPECT_EQ(Histogram::bucket_of(previous_high + 1), i);
    previous_high = high;
  }
}

TEST(Histogram, HugeValuesLandInTheTopBucket) {
  Histogram h;
  h.record(~0ull);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.percentile(100), ~0ull);
}

TEST(Histogram, MergeAddsCountsAndKeepsExtremes) {
  Histogram a, b;
  for (int i = 0; i < 50; ++i) a.record(10);
  for (int i = 0; i < 50; ++i) b.record(20);
  b.record(3);
  a.merge(b);
  EXPECT_EQ(a.count(), 101u);
  EXPECT_EQ(a.min(), 3u);
  EXPECT_EQ(a.max(), 20u);
  EXPECT_EQ(a.percentile(50), 10u);
  EXPECT_EQ(a.percentile(60), 20u);
  a.clear();
  EXPECT_EQ(a.count(), 0u);
}

TEST(Percentile, NearestRankOfExactSamples) {
  std::vector<double> s;
  EXPECT_EQ(bench::percentile(s, 50), 0.0);
  for (int i = 10; i >= 1; --i) s.push_back(i * 1.5);  // unsorted on purpose
  EXPECT_DOUBLE_EQ(bench::percentile(s, 50), 7.5);      // rank 5
  EXPECT_DOUBLE_EQ(bench::percentile(s, 90), 13.5);     // rank 9
  EXPECT_DOUBLE_EQ(bench::percentile(s, 99), 15.0);     // rank 10
  EXPECT_DOUBLE_EQ(bench::percentile(s, 0), 1.5);
  std::vector<double> one{4.25};
  EXPECT_DOUBLE_EQ(bench::percentile(one, 99), 4.25);
}

TEST(Percentile, HundredSamplesP99IsTheNinetyNinth) {
  std::vector<double> s;
  for (int i = 1; i <= 100; ++i) s.push_back(i);
  EXPECT_DOUBLE_EQ(bench::percentile(s, 99), 99.0);
  EXPECT_DOUBLE_EQ(bench::percentile(s, 100), 100.0);
}

}  // namespace
