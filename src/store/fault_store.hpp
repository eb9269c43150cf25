#pragma once
// Ports that make a seeded fraction of the calls of the ports they wrap fail or stall: a test
// hook for the fault-injection suite (test/integration/fault_injection.test.mjs, docs/testing.md), so an
// end-to-end test can make the store fail "for a moment" without recompiling. Off unless
// `parley serve --store-faults SPEC` asks for it, and serve refuses that flag on anything but a
// loopback bind (app/serve_command.cpp): it can never be switched on in production by accident.
//
// SPEC: `seed=N` and rules separated by ';', each `OPS:error:P` (the call fails with
// store_unavailable before reaching the store: no effect) or `OPS:delay:P:MS` (the call waits
// MS milliseconds first, as a slow store would). OPS is `*` or operation names joined by '+'
// (the names of parley_store_seconds{op}: append_message, members, ...). P is a probability in
// [0, 1]. Example: `seed=7;append_message:error:0.05;*:delay:0.02:300`.
// Every rule is drawn once per call, in order; one seeded generator serves every thread, so a
// run is reproducible up to the threads' interleaving.
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "store/wrapping_store.hpp"

namespace store {

struct FaultRule {
  enum Kind { error, delay };
  std::vector<std::string> ops;  // empty: every operation
  Kind kind = error;
  double probability = 0;
  int delay_ms = 0;
};

struct FaultSpec {
  std::uint64_t seed = 1;
  std::vector<FaultRule> rules;
};

// Throws std::invalid_argument naming what is wrong (an unknown operation, a bad number).
FaultSpec parse_fault_spec(const std::string& spec);

class Faulty final : public Wrapping {
 public:
  Faulty(Tables inner, FaultSpec spec);

 private:
  // Stalls the call when a delay rule draws it; store_unavailable when an error rule does.
  boost::system::error_code before(Op op) override;

  FaultSpec spec_;
  std::mutex mutex_;
  std::mt19937_64 rng_;
};

}  // namespace store
