#include "gateway/loop_sweep.hpp"

#include <vector>

namespace gateway {

void LoopSweep::start() {
  stopped_ = false;
  arm();
}

void LoopSweep::stop() {
  stopped_ = true;
  timer_.cancel();
}

void LoopSweep::arm() {
  timer_.expires_after(period_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    run_once(std::chrono::steady_clock::now());
    arm();
  });
}

void LoopSweep::run_once(std::chrono::steady_clock::time_point now) {
  // A member's sweep may end it (and so remove it): walk a snapshot.
  std::vector<std::shared_ptr<Sweepable>> live;
  live.reserve(members_.size());
  for (auto it = members_.begin(); it != members_.end();) {
    if (auto s = it->second.lock()) {
      live.push_back(std::move(s));
      ++it;
    } else {
      it = members_.erase(it);
    }
  }
  for (auto& s : live) s->sweep(now);
}

}  // namespace gateway
