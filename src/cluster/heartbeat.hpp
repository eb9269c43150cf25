#pragma once
// cluster::Heartbeat: a node's membership of the cluster (docs/scaling.md).
//  * Every `interval` it writes its `nodes` row with expiresAt = now + ttl (one PutItem: the
//    cheapest liveness signal, whatever the number of connections: their rows are never
//    rewritten), and reads every node row into the Liveness view (one small Scan).
//  * On its own thread, every `interval`, it sweeps dead peers (from the rows the beat read: no
//    read of its own): a node whose row expired is
//    claimed (one conditional write, so one live node sweeps it), its connections leave their
//    rooms with the leave announced (sweep_node), and its row is deleted.
//  * join() before serving: the first beat, and the sweep of the rows this endpoint's previous
//    run left behind (a restart); no other node's rows are touched.
//  * Fencing. A node presumed dead by the others must not go on serving sockets whose rows they
//    may have deleted (a sweep, or a sender's post answered 410 at once for a node known dead):
//    its clients would silently receive nothing. It fences itself — closes every socket
//    (`on_fenced`: 1012, the clients reconnect), takes a new start time (its older rows are gone
//    for everyone), registers again and sweeps its own old rows — when
//      - a whole ttl passed since the last beat it sent that succeeded, measured on this
//        process's monotonic clock (a stalled process — SIGSTOP, swap, a slow store — finds
//        out at its first round after waking, before it beats), or
//      - a beat is refused: every beat after the first of a run is conditional on the row
//        still being this run's and unclaimed (Nodes::renew), so a node that the others
//        swept finds out whatever the clocks say.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "cluster/liveness.hpp"
#include "handlers/ports.hpp"
#include "store/nodes.hpp"

namespace cluster {

struct HeartbeatOptions {
  std::chrono::milliseconds ttl{30000};      // a node silent this long is dead
  std::chrono::milliseconds interval{10000}; // beat and sweep period; ttl / 3 by default
};

class Heartbeat {
 public:
  // `live`: the ports the handlers use (NodeStore + routed connections), to announce leaves;
  // `raw`: the shared store under the NodeStore.
  Heartbeat(store::Nodes& nodes, Liveness& liveness, handlers::Ports live, store::Tables raw,
            HeartbeatOptions options, std::function<void()> on_fenced = {});
  ~Heartbeat();
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

  // The first beat and view, then the sweep of this endpoint's previous run. Errors: the
  // store's (the nodes table missing, the endpoint unreachable).
  core::result<void> join();
  // Starts the beat and sweep threads.
  void start();
  // Stops them; with `leave`, deletes this node's row (a clean stop: nothing left to sweep).
  void stop(bool leave = true);

  // One beat + view refresh, and one sweep round (what the threads run; tests call them).
  void beat_once();
  void sweep_once();

 private:
  void loop(void (Heartbeat::*round)());
  // Closes the sockets and starts a new run (see Fencing above); `why` for the log.
  void fence(const char* why, std::int64_t now);

  store::Nodes& nodes_;
  Liveness& liveness_;
  handlers::Ports live_;
  store::Tables raw_;
  const HeartbeatOptions options_;
  std::function<void()> on_fenced_;

  // When the last beat that was stored had been sent (beat thread only; none after a fence).
  std::optional<std::chrono::steady_clock::time_point> last_beat_;
  bool registered_ = false;  // this run's row is written: later beats renew it (beat thread)
  std::atomic<bool> sweep_self_{false};  // our own old rows await a sweep
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread beat_thread_, sweep_thread_;
};

}  // namespace cluster
