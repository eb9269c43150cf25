#pragma once
// Where `parley chat` keeps its guest token between runs (docs/security.md, "Guests"): one
// file per server, $XDG_CONFIG_HOME/parley/guests/<host>_<port>_<stage>.token (default
// ~/.config/parley/...), mode 0600. Presenting it on the next connect keeps the identity, and
// with it the direct messages.
#include <filesystem>
#include <string>

#include <boost/json/object.hpp>

#include "client/ws_url.hpp"

namespace client {

// The default file for a server; empty when neither XDG_CONFIG_HOME nor HOME is set.
std::filesystem::path default_guest_file(const WsUrl& url);

// The token the file holds; "" when there is none (or no file).
std::string load_guest_token(const std::filesystem::path& file);

// Writes `token` to the file (0600, through a temporary file and a rename, so that a crash
// never leaves half a token); false when it cannot.
bool save_guest_token(const std::filesystem::path& file, const std::string& token);

}  // namespace client
