#pragma once
// A Store that times every call of the Store it wraps (parley_store_seconds{op=...}), so that
// /metrics shows store latency whichever adapter is behind it.
#include "core/metrics.hpp"
#include "store/wrapping_store.hpp"

namespace store {

class Timed final : public Wrapping {
 public:
  explicit Timed(Store& inner);

 private:
  void after(Op op, bool ok, std::chrono::steady_clock::duration took) override;

  core::metrics::Histogram* latency_[static_cast<int>(Op::count)];
  core::metrics::Counter* failures_[static_cast<int>(Op::count)];
};

}  // namespace store
