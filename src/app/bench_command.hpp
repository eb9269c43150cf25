#pragma once
#include <string>
#include <vector>

namespace app {

// `parley bench`: the load generator (see src/bench/). Returns the process exit code.
int bench_command(const std::vector<std::string>& args);

}  // namespace app
