#pragma once
// The generator's connections and threads: opens N WebSockets with a bounded number of handshakes
// in flight (a server's accept backlog is finite) and spreads them over the workers.
#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "bench/client_connection.hpp"
#include "bench/run_context.hpp"
#include "bench/worker.hpp"

namespace bench {

class Pool {
 public:
  Pool(RunContext& ctx, unsigned threads);
  ~Pool();

  // Opens config.connections connections, the first `senders` of them senders; returns when all
  // answered or the connect timeout passed. Progress goes to stderr.
  void connect(std::size_t senders);
  // Waits until every open connection has had its first message (with --hello) and no message
  // arrived for a quiet period, or the settle timeout: a server's join notifications must not be
  // measured as the fan-out.
  // Returns the seconds it waited.
  double settle();
  // From the first connect to the last handshake that succeeded.
  double connect_seconds() const { return connect_seconds_; }

  std::vector<std::unique_ptr<Worker>>& workers() { return workers_; }
  ClientConnection& connection(std::size_t i) { return *connections_[i]; }
  std::uint64_t frames_received() const;
  std::size_t size() const { return connections_.size(); }
  // The worker that owns connection i (the only thread that may touch it).
  std::size_t worker_of(std::size_t i) const { return i % workers_.size(); }
  // Runs `f` on every connection, each on its own worker's thread; does not wait.
  void post_each(std::function<void(ClientConnection&)> f);
  // Closes every socket and stops the threads.
  void shutdown();

 private:
  void start_next(std::size_t worker);

  RunContext& ctx_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<ClientConnection>> connections_;
  // Per worker: the connections it owns, in start order, and the next to start.
  std::vector<std::vector<std::size_t>> owned_;
  std::vector<std::size_t> next_;
  std::atomic<std::int64_t> last_open_ns_{0};  // written by every worker
  double connect_seconds_ = 0;
  bool down_ = false;
};

}  // namespace bench
