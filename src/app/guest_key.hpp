#pragma once
// The key that signs guest tokens (auth/guest_authorizer.hpp) in anonymous mode: from
// --guest-key-file or PARLEY_GUEST_KEY when given (nodes sharing a DynamoDB store must share
// it), else DIR/guest.key in the data directory, created with 32 random bytes (hex) and mode
// 0600 on the first start, so that guest identities survive restarts. docs/security.md.
#include <filesystem>
#include <string>

#include "app/options.hpp"
#include "gateway/config.hpp"

namespace app {

// The key, and where it came from (for the banner). Throws std::invalid_argument with a clear
// message for a key that is too short or a file that cannot be read or created.
struct GuestKey {
  std::string key;
  std::string source;
};
GuestKey guest_key(const Options& o, const std::filesystem::path& data_dir);

// Anonymous mode (no authorizer configured): installs the guest authorizer. Returns the key's
// source for the banner, "" when a JWT authorizer is configured or --guests off (no guests then).
std::string apply_guest_identity(const Options& o, const std::filesystem::path& data_dir,
                                 gateway::Config& c);

// The banner's lines for anonymous mode: where the guest key is (and that it is this node's
// own when others share the store), and how to expose Parley safely.
std::string guest_banner(const std::string& key_source, bool own_key_on_shared_store);

}  // namespace app
