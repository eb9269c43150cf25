#pragma once
// Rate limits as API Gateway applies them (aws-contract.md §4): a token bucket per key, `rate`
// tokens a second up to `burst`; a request takes one token or is throttled.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/string_hash.hpp"

namespace gateway {

struct RateLimit {
  double rate = 0;   // tokens per second; 0: unlimited
  double burst = 0;  // bucket size; below 1 counts as 1
  bool enabled() const { return rate > 0; }
  double capacity() const { return burst < 1.0 ? 1.0 : burst; }  // a burst below 1 holds 1
};

// One bucket; not thread-safe (a connection's bucket is only touched by its loop). Its limit is
// the caller's, the same for every call: a connection's bucket does not keep a copy of the
// server's (issue 18: 16 bytes per connection).
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  TokenBucket() = default;
  TokenBucket(const RateLimit& limit, Clock::time_point now);  // full
  // Takes a token: false when none is left (throttled). Always true when unlimited.
  bool take(const RateLimit& limit, Clock::time_point now);
  // Whether the bucket has refilled completely (a full bucket carries no state worth keeping).
  bool full(const RateLimit& limit, Clock::time_point now) const;

 private:
  double level(const RateLimit& limit, Clock::time_point now) const;
  double tokens_ = 0;
  Clock::time_point last_{};
};

// One bucket per key (a source IP, a management caller), created full on first use. Thread-safe.
class KeyedBuckets {
 public:
  explicit KeyedBuckets(RateLimit limit) : limit_(limit) {}
  bool take(std::string_view key, TokenBucket::Clock::time_point now);
  // Forgets full buckets, so that a stream of distinct callers cannot grow the table forever.
  void prune(TokenBucket::Clock::time_point now);
  std::size_t size() const;

 private:
  RateLimit limit_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, TokenBucket, core::StringHash, std::equal_to<>> buckets_;
};

}  // namespace gateway
