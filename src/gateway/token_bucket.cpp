#include "gateway/token_bucket.hpp"

#include <algorithm>

namespace gateway {

TokenBucket::TokenBucket(const RateLimit& limit, Clock::time_point now)
    : tokens_(limit.capacity()), last_(now) {}

double TokenBucket::level(const RateLimit& limit, Clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  return std::min(limit.capacity(), tokens_ + std::max(0.0, elapsed) * limit.rate);
}

bool TokenBucket::take(const RateLimit& limit, Clock::time_point now) {
  if (!limit.enabled()) return true;
  tokens_ = level(limit, now);
  last_ = std::max(last_, now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

bool TokenBucket::full(const RateLimit& limit, Clock::time_point now) const {
  return !limit.enabled() || level(limit, now) >= limit.capacity();
}

bool KeyedBuckets::take(std::string_view key, TokenBucket::Clock::time_point now) {
  if (!limit_.enabled()) return true;
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) it = buckets_.emplace(std::string(key), TokenBucket(limit_, now)).first;
  return it->second.take(limit_, now);
}

void KeyedBuckets::prune(TokenBucket::Clock::time_point now) {
  std::lock_guard lock(mutex_);
  std::erase_if(buckets_, [this, now](const auto& kv) { return kv.second.full(limit_, now); });
}

std::size_t KeyedBuckets::size() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace gateway
