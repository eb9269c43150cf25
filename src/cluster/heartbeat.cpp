#include "cluster/heartbeat.hpp"

#include <limits>

#include "cluster/sweep.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"

namespace cluster {

Heartbeat::Heartbeat(store::Nodes& nodes, Liveness& liveness, handlers::Ports live, store::Tables raw,
                     HeartbeatOptions options, std::function<void()> on_fenced)
    : nodes_(nodes), liveness_(liveness), live_(live), raw_(raw), options_(options),
      on_fenced_(std::move(on_fenced)) {}

Heartbeat::~Heartbeat() { stop(false); }

core::result<void> Heartbeat::join() {
  const auto sent = std::chrono::steady_clock::now();
  const auto now = core::now_ms();
  if (auto b = nodes_.beat({liveness_.self(), liveness_.started_at(), now + options_.ttl.count(), {}, 0}); !b)
    return b.error();
  last_beat_ = sent;
  registered_ = true;
  auto all = nodes_.nodes();
  if (!all) return all.error();
  liveness_.update(*all);
  auto swept = sweep_node(live_, raw_, nodes_, liveness_.self(), liveness_.started_at());
  if (!swept) return swept.error();
  core::log::info("joined the cluster", {{"node", liveness_.self()}, {"nodes", all->size()},
                                          {"previousRunRowsRemoved", *swept}});
  return {};
}

void Heartbeat::fence(const char* why, std::int64_t now) {
  core::log::error("this node was presumed dead by the cluster: closing every connection (1012) and rejoining",
                   {{"node", liveness_.self()}, {"reason", why}});
  liveness_.restart(now);
  registered_ = false;
  last_beat_.reset();  // once per lapse
  sweep_self_ = true;
  if (on_fenced_) on_fenced_();
}

void Heartbeat::beat_once() {
  auto sent = std::chrono::steady_clock::now();
  auto now = core::now_ms();
  if (last_beat_ && sent - *last_beat_ > options_.ttl) {
    // Our row expired for the others: they may have swept our rows, or dropped them on a post.
    fence("heartbeat lapsed past the node ttl", now);
  }
  store::Node me{liveness_.self(), liveness_.started_at(), now + options_.ttl.count(), {}, 0};
  auto b = registered_ ? nodes_.renew(me) : nodes_.beat(me);
  if (!b && b.error() == core::errc::conflict) {
    // Swept (or being swept) while this process still counted itself alive.
    sent = std::chrono::steady_clock::now();
    now = core::now_ms();
    fence("this node's row was swept or claimed by another node", now);
    me = {liveness_.self(), liveness_.started_at(), now + options_.ttl.count(), {}, 0};
    b = nodes_.beat(me);
  }
  if (!b) {
    core::log::warn("heartbeat failed", {{"node", liveness_.self()}, {"error", b.error().message()}});
    return;
  }
  last_beat_ = sent;
  registered_ = true;
  const auto read_at = std::chrono::steady_clock::now();
  const auto read_ms = core::now_ms();  // the rows are as of this moment at the latest
  if (auto all = nodes_.nodes()) liveness_.update(*all, read_at, read_ms);
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
    // Its rows from before its expiry (both that node's clock): a connection made after it is
    // the node's rejoined run's, not to be swept.
    if (auto swept = sweep_node(live_, raw_, nodes_, n.endpoint, n.expires_at + 1); swept)
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
