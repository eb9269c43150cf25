#pragma once
// Process-wide metrics in the Prometheus text format: counters, gauges read on demand, and
// histograms with fixed latency buckets. Updates are lock-free atomics; only registration and
// rendering take a lock.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace core::metrics {

class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// Latency in seconds; buckets from 50 µs to 10 s.
class Histogram {
 public:
  static constexpr std::array<double, 14> bounds = {0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                                    0.0025,  0.005,  0.01,    0.025,  0.05,
                                                    0.1,     0.5,    1.0,     10.0};
  void observe(double seconds);
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  // Observations per bucket (not cumulative; above the last bound: count() minus their sum).
  std::array<std::uint64_t, bounds.size()> buckets() const;

 private:
  friend class Registry;
  std::array<std::atomic<std::uint64_t>, bounds.size()> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_ns_{0};
};

class Registry {
 public:
  // The same (name, labels) always returns the same object. `labels` is Prometheus syntax
  // without braces, e.g. `route="sendmessage"`.
  Counter& counter(const std::string& name, const std::string& help, const std::string& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help,
                       const std::string& labels = {});
  void gauge(const std::string& name, const std::string& help, std::function<double()> read);

  std::string render() const;
  // Every histogram of the family `name` (one per label set), for samplers that read them
  // between renders (the inspector's traffic charts).
  std::vector<const Histogram*> histograms(const std::string& name) const;

 private:
  struct Family {
    std::string help;
    std::string type;
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
    std::function<double()> gauge;
  };
  Family& family(const std::string& name, const std::string& help, const char* type);
  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

// The registry of this process.
Registry& registry();

}  // namespace core::metrics
