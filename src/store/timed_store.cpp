#include "store/timed_store.hpp"

namespace store {

Timed::Timed(Tables inner) : Wrapping(inner) {
  auto& reg = core::metrics::registry();
  for (int i = 0; i < static_cast<int>(Op::count); ++i) {
    const std::string labels = std::string("op=\"") + op_names[i] + "\"";
    latency_[i] = &reg.histogram("parley_store_seconds", "Store call latency", labels);
    failures_[i] = &reg.counter("parley_store_failures_total", "Store calls that failed", labels);
  }
}

void Timed::after(Op op, bool ok, std::chrono::steady_clock::duration took) {
  const auto i = static_cast<int>(op);
  latency_[i]->observe(std::chrono::duration<double>(took).count());
  if (!ok) failures_[i]->inc();
}

}  // namespace store
