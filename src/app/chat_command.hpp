#pragma once
#include <string>
#include <vector>

#include "app/options.hpp"

namespace app {

// `parley chat URL [options]`: the terminal client (interactive on a terminal, JSON lines in
// a pipe).
int chat_command(const std::vector<std::string>& args);
// Its options (app/chat_options.cpp).
const OptionTable& chat_options();

}  // namespace app
