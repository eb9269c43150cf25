#pragma once
// Posting one encoded frame to many connections, and forgetting connections that are gone.
#include <string>
#include <string_view>
#include <vector>

#include "apigw/connections.hpp"
#include "handlers/ports.hpp"

namespace handlers {

// Posts `frame` to each member except `except`, with `options` (presence: {.linger = true}). A post answered Gone removes that connection's
// rows (the seed only logged it) — unless it joined in the last 30 s: API Gateway answers Gone
// while a connection's $connect is still running, and that one is about to exist.
void broadcast(Ports& p, const store::RoomMembers& members, const apigw::SharedFrame& frame,
               std::string_view except = {}, apigw::PostOptions options = {});

// Deletes a connection's member rows and its connection row.
void forget_connection(Ports& p, const std::string& connection_id);

}  // namespace handlers
