#pragma once
#include "apigw/ws_event.hpp"
#include "handlers/ports.hpp"

namespace handlers {

// hello: tells the client who it is (welcome event: connectionId, name, room).
apigw::Response hello(const apigw::Event& e, Ports& p);

// ping: application keepalive; answers a pong event.
apigw::Response ping(const apigw::Event& e, Ports& p);

}  // namespace handlers
