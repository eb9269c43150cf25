#pragma once
// The Nodes port: the `parley serve` nodes sharing one store, each a heartbeat row (table
// `nodes`, key `node` = the node's management endpoint). What lets the nodes tell a live peer's
// connection rows from a dead one's, and sweep the latter (docs/scaling.md). Thread-safe.
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "store/store.hpp"

namespace store {

struct Node {
  std::string endpoint;          // management endpoint, as in the rows' `gateway`
  std::int64_t started_at = 0;   // epoch ms: rows of this endpoint older than this are a
                                 // previous run's (a restart on the same endpoint)
  std::int64_t expires_at = 0;   // epoch ms: dead after this unless beaten again
  std::string sweeper;           // the node sweeping this dead one's rows; "" = none
  std::int64_t sweep_until = 0;  // epoch ms: the sweeper's lease
};

class Nodes {
 public:
  virtual ~Nodes() = default;

  // Writes the node's row whole (a beat also drops any sweeper's claim on it): a node's first
  // beat of a run (its start, or after it fenced itself).
  virtual core::result<void> beat(const Node& n) = 0;
  // Every later beat: writes the row only while it is still this run's (`started_at`) and no
  // node has claimed its sweep. Errors: conflict (the row is gone, another run's, or being
  // swept: the others presumed this node dead and may have deleted its rows), the store's.
  virtual core::result<void> renew(const Node& n) = 0;
  // Every node row, dead ones included (a handful: one read).
  virtual core::result<std::vector<Node>> nodes() = 0;
  // Takes the sweep of `endpoint` for `by` until `until`: succeeds when its row is still expired
  // at `now` and nobody else holds an unexpired claim. Errors: conflict (not taken: the node
  // beat again, its row is gone, or another node sweeps it), the store's.
  virtual core::result<void> claim(const std::string& endpoint, const std::string& by,
                                   std::int64_t now, std::int64_t until) = 0;
  // Deletes the row of `endpoint` if it expired before `now` (a beat since then keeps it).
  virtual core::result<void> remove(const std::string& endpoint, std::int64_t now) = 0;
  // The connection rows held by `endpoint` that connected before `before` (epoch ms). A Scan of
  // the connections table: only for sweeps, once per dead node.
  virtual core::result<std::vector<Connection>> connections_of(const std::string& endpoint,
                                                               std::int64_t before) = 0;
};

}  // namespace store
