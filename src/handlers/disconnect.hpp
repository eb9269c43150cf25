#pragma once
#include "apigw/ws_event.hpp"
#include "handlers/ports.hpp"

namespace handlers {

// $disconnect: leaves every room (announced to the others) and removes the connection's row.
// Best effort, as on AWS.
apigw::Response disconnect(const apigw::Event& e, Ports& p);

}  // namespace handlers
