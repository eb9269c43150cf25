#pragma once
// `parley serve`'s options for who gets in: the $connect authorizer (--auth, --jwt-*, --jwks),
// browser origins, TLS, and the keys of the management API (docs/security.md).
#include <map>
#include <string>

#include "app/options.hpp"
#include "gateway/config.hpp"

namespace app {

extern const char* const security_usage;
// Whether an option name is one of these; and whether it takes a value.
extern const std::map<std::string, bool> security_known;

// Fills the security fields of `c` from the options and the environment (PARLEY_JWT_SECRET,
// PARLEY_MANAGEMENT_ACCESS_KEY_ID, PARLEY_MANAGEMENT_SECRET_ACCESS_KEY). Throws
// std::invalid_argument with a clear message for anything inconsistent or unreadable.
void apply_security_options(const Options& o, gateway::Config& c);

// "none (anonymous)" or the authorizer's description, for the banner.
std::string auth_mode(const gateway::Config& c);

}  // namespace app
