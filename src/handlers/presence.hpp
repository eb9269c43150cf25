#pragma once
#include "apigw/ws_event.hpp"
#include "handlers/ports.hpp"

namespace handlers {

// who {room}: the room's members (members only).
apigw::Response who(const apigw::Event& e, Ports& p);

// setname {name}: renames the connection; in each of its rooms the name is made unique there
// and the rename announced.
apigw::Response setname(const apigw::Event& e, Ports& p);

}  // namespace handlers
