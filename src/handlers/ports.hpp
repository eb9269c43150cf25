#pragma once
// Everything a handler may touch: the event it was given and these two ports.
#include "apigw/connections.hpp"
#include "store/store.hpp"

namespace handlers {

struct Ports {
  store::Store& store;
  apigw::Connections& connections;
};

}  // namespace handlers
