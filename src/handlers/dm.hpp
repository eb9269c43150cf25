#pragma once
#include "apigw/ws_event.hpp"
#include "handlers/ports.hpp"

namespace handlers {

// dm {to, message, clientMsgId?}: a direct message to a member of a room the sender is in (by
// name) or to a connection id. Stored in the pair's room "dmu:<a>:<b>" (user ids); only the sender and the
// recipient's connections receive it.
apigw::Response dm(const apigw::Event& e, Ports& p);

}  // namespace handlers
