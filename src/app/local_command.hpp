#pragma once
#include <string>
#include <vector>

namespace app {

// `parley local [TEMPLATE] [serve options]`: run one's own API Gateway WebSocket app from its
// SAM template, the short form of `parley serve --lambda process --template TEMPLATE`
// (default ./template.yaml).
int local_command(const std::vector<std::string>& args);

}  // namespace app
