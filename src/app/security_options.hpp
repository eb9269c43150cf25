#pragma once
// `parley serve`'s options for who gets in: the $connect authorizer (--auth, --jwt-*, --jwks),
// browser origins, TLS, and the keys of the management API (docs/security.md). Their
// declarations are security_option_group() (app/serve_options.hpp).
#include <string>

#include "app/options.hpp"
#include "gateway/config.hpp"

namespace app {

// Fills the security fields of `c` from the options and the environment (PARLEY_JWT_SECRET,
// PARLEY_MANAGEMENT_ACCESS_KEY_ID, PARLEY_MANAGEMENT_SECRET_ACCESS_KEY). Throws
// std::invalid_argument with a clear message for anything inconsistent or unreadable.
void apply_security_options(const Options& o, gateway::Config& c);

// "none (anonymous)" or the authorizer's description, for the banner.
std::string auth_mode(const gateway::Config& c);

}  // namespace app
