#pragma once
// cluster::Liveness: this node's view of which peers are alive, from the `nodes` rows its
// heartbeat reads each round (a handful of rows: never the other nodes' members). A row is
// dead when its node's heartbeat expired, or when it predates its node's start (the node
// restarted on the same endpoint: that socket is gone). A node this view has not seen yet
// (it started since the last refresh) counts as alive: it beat before it served anybody.
#include <atomic>
#include <cstdint>
#include <map>
#include <shared_mutex>
#include <string>
#include <vector>

#include "store/nodes.hpp"

namespace cluster {

class Liveness {
 public:
  // `self`: this node's endpoint; `started_at`: this run's start (epoch ms).
  Liveness(std::string self, std::int64_t started_at);

  const std::string& self() const { return self_; }
  // Names this node once its port is known; before it serves anybody (not thread-safe).
  void set_self(std::string self) { self_ = std::move(self); }
  std::int64_t started_at() const { return started_at_.load(); }
  // A new run on the same endpoint (after this node found itself presumed dead): every row of
  // this node older than `now` counts as gone from now on.
  void restart(std::int64_t now) { started_at_.store(now); }

  void update(const std::vector<store::Node>& nodes);
  // The node rows of the last update.
  std::vector<store::Node> snapshot() const;

  // Whether a row of `gateway` written at `row_time` (epoch ms: connectedAt, joinedAt) belongs
  // to a socket that is gone at `now`. "" (a row without a node) is never dead here.
  bool dead(const std::string& gateway, std::int64_t row_time, std::int64_t now) const;
  // Whether the node `gateway` is known to be dead at `now` (its heartbeat expired).
  bool node_dead(const std::string& gateway, std::int64_t now) const;

 private:
  std::string self_;
  std::atomic<std::int64_t> started_at_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, store::Node, std::less<>> nodes_;
};

}  // namespace cluster
