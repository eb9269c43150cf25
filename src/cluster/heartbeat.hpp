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
//  * A node that could not beat for a whole ttl must assume the others swept it: it takes a new
//    start time (its older rows are gone for everyone), closes its sockets (`on_fenced`, the
//    clients reconnect) and sweeps its own old rows.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
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
  Heartbeat(store::Nodes& nodes, Liveness& liveness, handlers::Ports live, store::Store& raw,
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

  store::Nodes& nodes_;
  Liveness& liveness_;
  handlers::Ports live_;
  store::Store& raw_;
  const HeartbeatOptions options_;
  std::function<void()> on_fenced_;

  std::int64_t last_beat_ = 0;   // epoch ms of the last beat stored (beat thread only)
  std::atomic<bool> sweep_self_{false};  // our own old rows await a sweep
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread beat_thread_, sweep_thread_;
};

}  // namespace cluster
