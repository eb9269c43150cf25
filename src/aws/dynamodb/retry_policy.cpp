#include "aws/dynamodb/retry_policy.hpp"

#include <algorithm>
#include <boost/beast/core/error.hpp>
#include <random>

namespace aws::dynamodb {

RetryPolicy::RetryPolicy(RetryOptions options) : options_(std::move(options)), quota_(options_.quota_capacity) {
  if (!options_.random) {
    options_.random = [engine = std::minstd_rand(std::random_device{}())]() mutable {
      return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
    };
  }
}

bool RetryPolicy::should_retry(const Error& e, int attempt, int& cost_out) {
  if (!e.retryable || attempt >= options_.max_attempts) return false;
  const bool timeout = e.cause == boost::beast::error::timeout;
  const int cost = timeout ? options_.timeout_retry_cost : options_.retry_cost;
  // An empty quota means the service has failed for a while: fail fast instead of piling on.
  if (quota_ < cost) return false;
  quota_ -= cost;
  cost_out = cost;
  return true;
}

std::chrono::milliseconds RetryPolicy::delay(const Error& e, int attempt) {
  const auto base = e.throttle ? options_.throttle_base : options_.base;
  const double exp = static_cast<double>(base.count()) * static_cast<double>(1LL << std::min(attempt - 1, 30));
  const double cap = std::min(exp, static_cast<double>(options_.max_backoff.count()));
  return std::chrono::milliseconds(static_cast<long long>(options_.random() * cap));
}

void RetryPolicy::on_success(int last_retry_cost) {
  quota_ = std::min(options_.quota_capacity, quota_ + (last_retry_cost > 0 ? last_retry_cost : 1));
}

}  // namespace aws::dynamodb
