#pragma once
#include "apigw/ws_event.hpp"
#include "handlers/ports.hpp"

namespace handlers {

// hello {since?}: the client's first frame. Answers welcome, then each of its rooms' history
// (after the given or the connect-time `since`, else the newest 50).
apigw::Response hello(const apigw::Event& e, Ports& p);

// ping: application keepalive; answers a pong event.
apigw::Response ping(const apigw::Event& e, Ports& p);

}  // namespace handlers
