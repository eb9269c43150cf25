#pragma once
#include "apigw/ws_event.hpp"
#include "handlers/ports.hpp"

namespace handlers {

// $connect: validates ?name= and ?room=, stores the connection. 400 refuses the handshake.
apigw::Response connect(const apigw::Event& e, Ports& p);

}  // namespace handlers
