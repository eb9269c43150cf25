#pragma once
#include "apigw/ws_event.hpp"
#include "handlers/ports.hpp"

namespace handlers {

// join {room, since?}: enters the room (announced to its members), answers joined + history.
apigw::Response join(const apigw::Event& e, Ports& p);

// leave {room}: leaves the room (announced to the remaining members), answers left.
apigw::Response leave(const apigw::Event& e, Ports& p);

}  // namespace handlers
