#pragma once
// `parley serve --store-faults SPEC`: the fault-injection test hook (store::Faulty,
// docs/testing.md). Only accepted with a loopback --bind, so it cannot be left on in a
// deployment by accident; and not with --lambda process (the functions open their own store).
#include <optional>

#include "app/options.hpp"
#include "store/fault_store.hpp"

namespace app {

// The spec of --store-faults, checked before anything is opened; nullopt without the flag.
// Throws std::invalid_argument when the flag is misused.
std::optional<store::FaultSpec> store_fault_spec(const Options& o);

}  // namespace app
