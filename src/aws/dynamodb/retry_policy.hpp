#pragma once
// The AWS SDKs' "standard" retry mode (aws-contract.md §6.6): which errors to retry, the full-
// jitter backoff, and the retry quota that stops a client from hammering a failing service.
#include <chrono>
#include <functional>

#include "aws/dynamodb/error.hpp"

namespace aws::dynamodb {

struct RetryOptions {
  int max_attempts = 3;  // including the first
  std::chrono::milliseconds throttle_base{1000};  // base delay after throttling errors
  std::chrono::milliseconds base{25};             // base delay after other retryable errors
  std::chrono::milliseconds max_backoff{20'000};
  int quota_capacity = 500;
  int retry_cost = 5;
  int timeout_retry_cost = 10;
  // Uniform in [0, 1); tests replace it to make the delays predictable.
  std::function<double()> random;
};

// Not thread-safe: one per client, used from the client's executor.
class RetryPolicy {
 public:
  explicit RetryPolicy(RetryOptions options);

  // Whether to retry after `attempt` (1-based) failed with `e`; takes the retry's cost from the
  // quota when it says yes and stores it in `cost` (the caller's request remembers it).
  bool should_retry(const Error& e, int attempt, int& cost);
  // rand[0,1) * min(base * 2^(attempt-1), max_backoff), base by the kind of error.
  std::chrono::milliseconds delay(const Error& e, int attempt);
  // A success returns the request's last retry cost to the quota (or 1 when it had no retry).
  void on_success(int last_retry_cost);

  int quota() const { return quota_; }
  const RetryOptions& options() const { return options_; }

 private:
  RetryOptions options_;
  int quota_;
};

}  // namespace aws::dynamodb
