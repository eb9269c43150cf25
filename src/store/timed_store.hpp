#pragma once
// Ports that time every call of the ports they wrap (parley_store_seconds{op=...}), so that
// /metrics shows store latency whichever adapter is behind it.
#include "core/metrics.hpp"
#include "store/wrapping_store.hpp"

namespace store {

class Timed final : public Wrapping {
 public:
  explicit Timed(Tables inner);

 private:
  void after(Op op, bool ok, std::chrono::steady_clock::duration took) override;

  core::metrics::Histogram* latency_[static_cast<int>(Op::count)];
  core::metrics::Counter* failures_[static_cast<int>(Op::count)];
};

}  // namespace store
