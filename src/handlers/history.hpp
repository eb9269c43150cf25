#pragma once
#include "apigw/ws_event.hpp"
#include "handlers/ports.hpp"

namespace handlers {

// history {room, before? | after?, limit?}: a page of the room's messages. Members only; a
// direct-message room ("dmu:<a>:<b>", user ids) to its two parties only.
apigw::Response history(const apigw::Event& e, Ports& p);

}  // namespace handlers
