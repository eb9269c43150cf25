#include "cluster/heartbeat.hpp"

#include <limits>

#include "cluster/sweep.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"

namespace cluster {

Heartbeat::Heartbeat(store::Nodes& nodes, Liveness& liveness, handlers::Ports live, store::Store& raw,
                     HeartbeatOptions options, std::function<void()> on_fenced)
    : nodes_(nodes), liveness_(liveness), live_(live), raw_(raw), options_(options),
      on_fenced_(std::move(on_fenced)) {}

Heartbeat::~Heartbeat() { stop(false); }

core::result<void> Heartbeat::join() {
  const auto now = core::now_ms();
  if (auto b = nodes_.beat({liveness_.self(), liveness_.started_at(), now + options_.ttl.count(), {}, 0}); !b)
    return b.error();
  last_beat_ = now;
  auto all = nodes_.nodes();
  if (!all) return all.error();
  liveness_.update(*all);
  auto swept = sweep_node(live_, raw_, nodes_, liveness_.self(), liveness_.started_at());
  if (!swept) return swept.error();
  core::log::info("joined the cluster", {{"node", liveness_.self()}, {"nodes", all->size()},
                                          {"previousRunRowsRemoved", *swept}});
  return {};
}

void Heartbeat::beat_once() {
  const auto now = core::now_ms();
  auto b = nodes_.beat({liveness_.self(), liveness_.started_at(), now + options_.ttl.count(), {}, 0});
  if (!b) {
    core::log::warn("heartbeat failed", {{"node", liveness_.self()}, {"error", b.error().message()}});
    if (last_beat_ != 0 && now - last_beat_ > options_.ttl.count()) {
      // The others have presumed this node dead and may be sweeping its rows: start afresh.
      core::log::error("heartbeat lapsed past the node ttl: closing every connection of this node",
                       {{"node", liveness_.self()}});
      liveness_.restart(now);
      sweep_self_ = true;
      last_beat_ = 0;  // once per lapse
      if (on_fenced_) on_fenced_();
    }
    return;
  }
  last_beat_ = now;
  if (auto all = nodes_.nodes()) liveness_.update(*all);
  else core::log::warn("cannot read the node list", {{"error", all.error().message()}});
}

void Heartbeat::sweep_once() {
  if (sweep_self_.exchange(false)) {
    if (!sweep_node(live_, raw_, nodes_, liveness_.self(), liveness_.started_at())) sweep_self_ = true;
  }
  // The rows the beat thread read last: no read of its own.
  const auto now = core::now_ms();
  for (const auto& n : liveness_.snapshot()) {
    if (n.endpoint == liveness_.self() || n.expires_at >= now) continue;
    // Not ours when it beat again, is gone, or another node sweeps it.
    if (!nodes_.claim(n.endpoint, liveness_.self(), now, now + options_.ttl.count())) continue;
    core::log::info("sweeping a dead node", {{"node", n.endpoint}, {"expiredAt", n.expires_at}});
    if (auto swept = sweep_node(live_, raw_, nodes_, n.endpoint, now); swept)
      (void)nodes_.remove(n.endpoint, now);
  }
}

void Heartbeat::loop(void (Heartbeat::*round)()) {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (wake_.wait_for(lock, options_.interval, [this] { return stopping_; })) break;
    lock.unlock();
    try {
      (this->*round)();
    } catch (const std::exception& e) {
      core::log::error("heartbeat round failed", {{"error", e.what()}});
    }
    lock.lock();
  }
}

void Heartbeat::start() {
  beat_thread_ = std::thread([this] { loop(&Heartbeat::beat_once); });
  sweep_thread_ = std::thread([this] { loop(&Heartbeat::sweep_once); });
}

void Heartbeat::stop(bool leave) {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (beat_thread_.joinable()) beat_thread_.join();
  if (sweep_thread_.joinable()) sweep_thread_.join();
  if (leave) (void)nodes_.remove(liveness_.self(), std::numeric_limits<std::int64_t>::max());
}

}  // namespace cluster
