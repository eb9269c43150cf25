#include "integration/in_process.hpp"

#include <algorithm>

#include "core/commit_hold.hpp"
#include "core/log.hpp"

namespace integration {

InProcess::InProcess(handlers::Router router, store::Tables store, unsigned threads,
                     std::chrono::microseconds join_after)
    : router_(std::move(router)), store_(store), pool_(threads, join_after) {}

InProcess::~InProcess() { drain(); }

namespace {
struct PoolLane final : gateway::Integration::Lane {
  explicit PoolLane(HandlerPool& pool) : lane(pool.open_lane()) {}
  std::shared_ptr<HandlerPool::Lane> lane;
};
}  // namespace

void InProcess::invoke(apigw::Event event, std::function<void(gateway::InvokeResult)> done) {
  waiting_.fetch_add(1, std::memory_order_relaxed);
  pool_.post([this, event = std::move(event), done = std::move(done)]() mutable {
    waiting_.fetch_sub(1, std::memory_order_relaxed);
    run(event, done);
  });
}

std::shared_ptr<gateway::Integration::Lane> InProcess::open_lane() {
  return std::make_shared<PoolLane>(pool_);
}

void InProcess::invoke_in(Lane& lane, apigw::Event event, std::function<void()> started,
                          std::function<void(gateway::InvokeResult)> done) {
  waiting_.fetch_add(1, std::memory_order_relaxed);
  pool_.post(static_cast<PoolLane&>(lane).lane,
             [this, event = std::move(event), started = std::move(started),
              done = std::move(done)]() mutable {
               waiting_.fetch_sub(1, std::memory_order_relaxed);
               started();
               run(event, done);
             });
}

void InProcess::run(apigw::Event& event, const std::function<void(gateway::InvokeResult)>& done) {
  gateway::InvokeResult result;
  const auto* handler = router_.find(event.request_context.route_key);
  if (!handler || !connections_) {
    result.status = gateway::InvokeResult::Status::error;
    result.error_message = "no handler for route " + event.request_context.route_key;
    done(std::move(result));
    return;
  }
  handlers::Ports ports{store_, *connections_};
  // The handler's writes may share a commit with the others' handled meanwhile: its posts and
  // its result wait for that commit (core/commit_hold.hpp).
  core::CommitHold hold;
  {
    core::CommitHold::Scope scope(hold);
    // A handler that throws is a failed invocation, reported like Lambda's Unhandled error.
    try {
      result.response = (*handler)(event, ports);
    } catch (const std::exception& e) {
      result.status = gateway::InvokeResult::Status::error;
      result.error_message = e.what();
    } catch (...) {
      result.status = gateway::InvokeResult::Status::error;
      result.error_message = "unknown exception";
    }
  }
  if (hold.waiting()) {
    for (auto* committer : hold.committers()) owe_commit(*committer);
    hold.release([done, result = std::move(result)](bool committed) mutable {
      if (!committed) {
        // Nothing of it was stored, delivered or answered: the client sees a failed
        // invocation and may retry (a clientMsgId makes the retry safe).
        result = gateway::InvokeResult{};
        result.status = gateway::InvokeResult::Status::error;
        result.error_message = "the store could not commit the handler's writes";
      }
      done(std::move(result));
    });
  } else {
    done(std::move(result));  // nothing written, or written and committed: nothing was held
  }
  settle_owed();
}

void InProcess::owe_commit(core::BatchCommitter& committer) {
  std::lock_guard lock(commits_mutex_);
  if (std::find(owed_.begin(), owed_.end(), &committer) == owed_.end())
    owed_.push_back(&committer);
}

void InProcess::settle_owed() {
  std::vector<core::BatchCommitter*> now;
  {
    std::lock_guard lock(commits_mutex_);
    if (owed_.empty()) return;
    if (waiting_.load(std::memory_order_relaxed) > deep_queue) {
      // Many frames are queued: their writes join the batch, committed after them by a task
      // queued behind them (one at a time), or by the handler that finds the queue short. The
      // wait this adds is bounded by the frames queued now, whose own wait it is: a bound on
      // the batch's size lost throughput (performance-notes.md, *Session 9*).
      if (commit_queued_) return;
      commit_queued_ = true;
    } else {
      // Few or none queued: commit now, on this thread, no wake-up of another; the few
      // commit their own soon (batching behind a short queue only delayed bursts).
      now.swap(owed_);
    }
  }
  if (now.empty()) {
    pool_.post([this] {
      std::vector<core::BatchCommitter*> owed;
      {
        std::lock_guard lock(commits_mutex_);
        commit_queued_ = false;
        owed.swap(owed_);
      }
      for (auto* committer : owed) committer->commit_open();
    });
    return;
  }
  for (auto* committer : now) committer->commit_open();
}

void InProcess::drain() { pool_.join(); }

}  // namespace integration
