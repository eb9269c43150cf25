#pragma once
#include <string>
#include <vector>

#include "app/options.hpp"

namespace app {

// `parley bench`: the load generator (see src/bench/). Returns the process exit code.
int bench_command(const std::vector<std::string>& args);
// Its options (app/bench_options.cpp).
const OptionTable& bench_options();

}  // namespace app
