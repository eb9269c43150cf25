#pragma once
// Deleting the rows of a dead node's connections, as their $disconnects would have.
#include <cstdint>
#include <string>

#include "core/error.hpp"
#include "handlers/ports.hpp"
#include "store/nodes.hpp"

namespace cluster {

// For each connection row `endpoint` holds that connected before `before`: leaves every room
// it is in (each leave announced to the room's live members, through `live`: a NodeStore and
// the routed connections) and deletes its connection row. `raw` is the shared store itself (it
// still shows the dead rows the NodeStore hides). Returns how many connections were removed;
// an error when some rows could not be (the next sweep tries again).
core::result<std::size_t> sweep_node(handlers::Ports& live, store::Tables raw, store::Nodes& nodes,
                                     const std::string& endpoint, std::int64_t before);

}  // namespace cluster
