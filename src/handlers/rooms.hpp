#pragma once
#include "apigw/ws_event.hpp"
#include "handlers/limits.hpp"
#include "handlers/ports.hpp"

namespace handlers {

// join {room, since?}: enters the room (announced to its members), answers joined + history.
// A connection already in `limits.max_rooms` rooms is refused with `too_many_rooms`.
apigw::Response join(const apigw::Event& e, Ports& p, const Limits& limits);
apigw::Response join(const apigw::Event& e, Ports& p);

// leave {room}: leaves the room (announced to the remaining members), answers left.
apigw::Response leave(const apigw::Event& e, Ports& p);

}  // namespace handlers
