#include "gateway/token_bucket.hpp"

#include <algorithm>

namespace gateway {

TokenBucket::TokenBucket(RateLimit limit, Clock::time_point now)
    : limit_{limit.rate, std::max(1.0, limit.burst)}, tokens_(limit_.burst), last_(now) {}

double TokenBucket::level(Clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  return std::min(limit_.burst, tokens_ + std::max(0.0, elapsed) * limit_.rate);
}

bool TokenBucket::take(Clock::time_point now) {
  if (!limit_.enabled()) return true;
  tokens_ = level(now);
  last_ = std::max(last_, now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

bool TokenBucket::full(Clock::time_point now) const {
  return !limit_.enabled() || level(now) >= limit_.burst;
}

bool KeyedBuckets::take(const std::string& key, TokenBucket::Clock::time_point now) {
  if (!limit_.enabled()) return true;
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) it = buckets_.emplace(key, TokenBucket(limit_, now)).first;
  return it->second.take(now);
}

void KeyedBuckets::prune(TokenBucket::Clock::time_point now) {
  std::lock_guard lock(mutex_);
  std::erase_if(buckets_, [now](const auto& kv) { return kv.second.full(now); });
}

std::size_t KeyedBuckets::size() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace gateway
