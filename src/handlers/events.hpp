#pragma once
// The events the server sends to clients (docs/protocol.md), each encoded once.
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace handlers::events {

// {"type":"message","room",...,"text"} plus clientMsgId when the sender gave one.
std::string message(const store::Message& m, std::string_view client_msg_id);

// {"type":"error","code":...,"message":...}
std::string error(std::string_view code, std::string_view message);

// {"type":"welcome","connectionId":...,"name":...,"room":...}
std::string welcome(const store::Connection& c);

std::string pong();

}  // namespace handlers::events
