#pragma once
// What the `bootstrap` executable reads from its Lambda environment: which handler it serves
// (_HANDLER), which store (tables or a SQLite file), and where the CA certificates are.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "store/store.hpp"

namespace app {

// The route key a function serves, by its Handler name: connect → $connect,
// disconnect → $disconnect, default → $default, the custom routes by their own name
// (sendmessage, join, leave, setname, history, who, dm, hello, ping). nullopt for any other.
std::optional<std::string> route_key_for_handler(std::string_view handler);

// PARLEY_SQLITE_FILE set: store::Sqlite on that file (the local process mode). Otherwise
// store::Dynamo on WEBSOCKET_TABLE, MEMBERS_TABLE, MESSAGES_TABLE, ROOMS_TABLE,
// CLIENTMSGS_TABLE, at DYNAMODB_ENDPOINT when set. On failure, `why` says what went wrong.
core::result<std::unique_ptr<store::Store>> open_store_from_env(std::string& why);

// The zip's OpenSSL looks for CAs where Debian keeps them (/usr/lib/ssl); Amazon Linux keeps
// them in /etc/pki. Points SSL_CERT_FILE at the first bundle that exists, unless it is set.
void use_system_ca_bundle();

}  // namespace app
