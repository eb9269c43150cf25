#pragma once
#include "apigw/ws_event.hpp"
#include "handlers/ports.hpp"

namespace handlers {

// $default: frames that are not JSON or whose action has no route. The seed's
// {"action":"default","message":"..."} is sent like sendmessage; anything else gets an error event.
apigw::Response default_route(const apigw::Event& e, Ports& p);

}  // namespace handlers
