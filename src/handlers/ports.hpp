#pragma once
// Everything a handler may touch: the event it was given and these ports — the store's, by
// concern (store/store.hpp: connection rows, memberships, the message log, `hello`'s view),
// and the gateway's Connections to post with.
#include "apigw/connections.hpp"
#include "store/store.hpp"

namespace handlers {

struct Ports {
  store::Tables store;
  apigw::Connections& connections;
};

}  // namespace handlers
