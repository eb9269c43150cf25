#pragma once
// Latency histogram with log-linear buckets (as HdrHistogram): recording is an index computation
// and an increment, so receiving threads record every delivery; values are exact below 128 and
// within 1/64 (1.6 %) above.
#include <array>
#include <cstdint>
#include <vector>

namespace bench {

class Histogram {
 public:
  // Values are whole units (the generator uses microseconds); the top bucket holds everything
  // from 2^41 up.
  void record(std::uint64_t value);
  void merge(const Histogram& other);
  void clear();

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  // Nearest-rank percentile (`p` in [0, 100]): the smallest recorded value v such that at least
  // p % of the values are <= v, rounded up to its bucket's upper bound and capped at max(). 0 when
  // empty.
  std::uint64_t percentile(double p) const;

  static std::size_t bucket_of(std::uint64_t value);
  // Largest value that falls in bucket `index`.
  static std::uint64_t bucket_high(std::size_t index);

 private:
  static constexpr int sub_bits = 6;                 // 64 sub-buckets per power of two
  static constexpr std::size_t linear = 2u << sub_bits;  // 0..127 exactly
  static constexpr int top_bit = 40;
  static constexpr std::size_t buckets = linear + (top_bit - sub_bits) * (1u << sub_bits);

  std::array<std::uint64_t, buckets> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t min_ = UINT64_MAX;
};

// Nearest-rank percentile of exact samples (sorted in place): for the few per-message fan-out
// completion times, where bucket rounding is not wanted. 0 when empty.
double percentile(std::vector<double>& samples, double p);

}  // namespace bench
