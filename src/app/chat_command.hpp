#pragma once
#include <string>
#include <vector>

namespace app {

// `parley chat URL [options]`: the terminal client (interactive on a terminal, JSON lines in
// a pipe).
int chat_command(const std::vector<std::string>& args);
extern const char* const chat_usage;

}  // namespace app
