#pragma once
// cluster::Liveness: this node's view of which peers are alive, from the `nodes` rows its
// heartbeat reads each round (a handful of rows: never the other nodes' members). A row is
// dead when its node's heartbeat expired, or when it predates its node's start (the node
// restarted on the same endpoint: that socket is gone). A node this view has not seen yet
// (it started since the last refresh) counts as alive: it beat before it served anybody.
#include <algorithm>
#include <atomic>
#include <chrono>
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

  // `at`: when the rows were read, on this process's monotonic clock; `read_ms`: the same on
  // the wall clock (epoch ms; 0: now). Tests pass their own.
  void update(const std::vector<store::Node>& nodes,
              std::chrono::steady_clock::time_point at = std::chrono::steady_clock::now(),
              std::int64_t read_ms = 0);
  // The node rows of the last update.
  std::vector<store::Node> snapshot() const;

  // Whether a row of `gateway` written at `row_time` (epoch ms: connectedAt, joinedAt) belongs
  // to a socket that is gone at `now`: written before its node's run began, or before its
  // node's expiry when that had passed by the last read of the rows (a row written after it is
  // a rejoined run's). "" (a row without a node) is never dead here. Expiry is judged at the
  // last read, not at `now`: while this node's own reads fail, the expiry it saw passes without
  // telling anything about the peer (it may have beaten since), and hiding a live peer's
  // members from a fan-out makes its clients miss live messages (the fault suite's cluster
  // missed-live). A peer that died since is found dead by the next read that succeeds.
  bool dead(const std::string& gateway, std::int64_t row_time, std::int64_t now) const;
  // Whether the node `gateway` is known to be dead at `now` (its heartbeat expired by the last
  // read, as for dead()).
  bool node_dead(const std::string& gateway, std::int64_t now) const;
  // Whether `gateway` has been silent for `ttl` as this process saw it: its row unchanged
  // through every refresh of the last `ttl` (this process's monotonic clock), or gone from the
  // table since it was seen. Unlike node_dead, no other machine's clock enters it: what decides
  // the takeover of that node's clientMsgId claims (a fast clock here must not take over the
  // claims of a live node). A node never seen: false.
  bool silent(const std::string& gateway, std::chrono::steady_clock::duration ttl,
              std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now()) const;

 private:
  std::string self_;
  std::atomic<std::int64_t> started_at_;
  std::int64_t read_ms_ = 0;  // the last update's wall-clock time (under mutex_)
  std::int64_t judged_at(std::int64_t now) const { return std::min(now, read_ms_); }
  mutable std::shared_mutex mutex_;
  std::map<std::string, store::Node, std::less<>> nodes_;
  // Per node seen: its row's last (expiresAt, startedAt), since when it has been that, or gone.
  struct Seen {
    std::int64_t expires_at = 0;
    std::int64_t started_at = 0;
    std::chrono::steady_clock::time_point since;
    bool gone = false;
  };
  std::map<std::string, Seen, std::less<>> seen_;
};

}  // namespace cluster
