#pragma once
#include <string>
#include <vector>

namespace app {

// `parley serve [options]`: the gateway, in-process handlers and the SQLite store.
int serve_command(const std::vector<std::string>& args);

}  // namespace app
