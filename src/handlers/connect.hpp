#pragma once
#include "apigw/ws_event.hpp"
#include "handlers/ports.hpp"

namespace handlers {

// $connect: validates ?name=, ?room= and ?since=, stores the connection and joins its home
// room (announced to the others). A 400 refuses the handshake, as on AWS.
apigw::Response connect(const apigw::Event& e, Ports& p);

}  // namespace handlers
