#include "bench/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace bench {

std::size_t Histogram::bucket_of(std::uint64_t v) {
  if (v < linear) return static_cast<std::size_t>(v);
  const int msb = 63 - std::countl_zero(v);  // >= sub_bits + 1
  if (msb > top_bit) return buckets - 1;
  const int shift = msb - sub_bits;
  // Bucket group per power of two from 2^(sub_bits+1); within it, the next sub_bits bits.
  const std::size_t sub = static_cast<std::size_t>((v >> shift) - (1u << sub_bits));
  return std::min(buckets - 1, linear + static_cast<std::size_t>(shift - 1) * (1u << sub_bits) + sub);
}

std::uint64_t Histogram::bucket_high(std::size_t i) {
  if (i < linear) return i;
  const std::size_t group = (i - linear) >> sub_bits;  // shift - 1
  const std::uint64_t sub = (i - linear) & ((1u << sub_bits) - 1);
  const int shift = static_cast<int>(group) + 1;
  const std::uint64_t low = ((std::uint64_t{1} << sub_bits) + sub) << shift;
  return low + (std::uint64_t{1} << shift) - 1;
}

void Histogram::record(std::uint64_t v) {
  ++counts_[bucket_of(v)];
  ++count_;
  if (v > max_) max_ = v;
  if (v < min_) min_ = v;
}

void Histogram::merge(const Histogram& o) {
  for (std::size_t i = 0; i < buckets; ++i) counts_[i] += o.counts_[i];
  count_ += o.count_;
  max_ = std::max(max_, o.max_);
  min_ = std::min(min_, o.min_);
}

void Histogram::clear() { *this = Histogram(); }

std::uint64_t Histogram::percentile(double p) const {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(p * static_cast<double>(count_) / 100.0)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return i == buckets - 1 ? max_ : std::min(bucket_high(i), max_);
  }
  return max_;
}

double percentile(std::vector<double>& samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  p = std::clamp(p, 0.0, 100.0);
  const auto rank = std::max<std::size_t>(
      1, static_cast<std::size_t>(std::ceil(p * static_cast<double>(samples.size()) / 100.0)));
  return samples[rank - 1];
}

}  // namespace bench
