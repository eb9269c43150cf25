#pragma once
// Runs handlers in this process on a pool of their own threads, like Lambda execution
// environments: a handler may block (SQLite, HTTP) without stalling any socket thread.
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "apigw/connections.hpp"
#include "core/commit_hold.hpp"
#include "gateway/integration.hpp"
#include "handlers/router.hpp"
#include "integration/handler_pool.hpp"
#include "store/store.hpp"

namespace integration {

class InProcess final : public gateway::Integration {
 public:
  // `join_after`: how long frames wait for the pool's first thread before another joins it
  // (handler_pool.hpp): handlers on SQLite take tens of microseconds, so a burst runs on one
  // thread in a row; 0 for handlers that wait on the network (DynamoDB).
  static constexpr std::chrono::microseconds sqlite_join_after{1000};
  InProcess(handlers::Router router, store::Tables store, unsigned threads,
            std::chrono::microseconds join_after = sqlite_join_after);
  ~InProcess() override;

  // Handlers post through this port; set before the first invoke (the gateway owns it).
  void set_connections(apigw::Connections& connections) { connections_ = &connections; }

  std::vector<std::string> route_keys() const override { return router_.route_keys(); }
  void invoke(apigw::Event event, std::function<void(gateway::InvokeResult)> done) override;
  // A lane of the handler pool: a connection's frames run in order, on any of the threads.
  std::shared_ptr<Lane> open_lane() override;
  void invoke_in(Lane& lane, apigw::Event event, std::function<void()> started,
                 std::function<void(gateway::InvokeResult)> done) override;

  // Waits for every handler already queued (the $disconnects of a shutdown) to finish.
  void drain();

 private:
  handlers::Router router_;
  store::Tables store_;
  apigw::Connections* connections_ = nullptr;
  // Runs the event's handler on the calling thread and reports to `done`.
  void run(apigw::Event& event, const std::function<void(gateway::InvokeResult)>& done);

  // Commits of the stores' open batches (core/commit_hold.hpp). An invocation that wrote owes
  // its store a commit; at every invocation's end the owed commits run at once when at most
  // `deep_queue` frames wait for a thread (a quiet server commits each write as it comes, no
  // wake-up of another thread), or else once, by a task queued behind the waiting frames, so
  // that their writes share the commit.
  void owe_commit(core::BatchCommitter& committer);
  void settle_owed();
  std::atomic<int> waiting_{0};  // frames posted to the pool and not yet started
  std::mutex commits_mutex_;
  std::vector<core::BatchCommitter*> owed_;  // guarded by commits_mutex_
  bool commit_queued_ = false;               // guarded by commits_mutex_
  // More frames than this waiting: the queue is deep enough for a commit behind it to pay
  // (measured: 0 held light bursts' first frames, p99 ×3–8; 4 kept the throughput).
  static constexpr int deep_queue = 4;

  HandlerPool pool_;
};

}  // namespace integration
