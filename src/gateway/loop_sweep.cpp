#include "gateway/loop_sweep.hpp"

#include <algorithm>
#include <iterator>
#include <vector>

namespace gateway {

void LoopSweep::start() {
  stopped_ = false;
  arm();
}

void LoopSweep::stop() {
  stopped_ = true;
  timer_.cancel();
  pass_.clear();
  deadline_timer_.cancel();
  deadline_waiting_ = false;
}

void LoopSweep::arm() {
  timer_.expires_after(period_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    pass_ = snapshot();
    pass_at_ = std::chrono::steady_clock::now();
    next_ = 0;
    continue_pass();
  });
}

// A pass over 10,000 connections takes 2.5-3.7 ms of the loop (issue 18): done at once, every
// frame that arrived meanwhile waited that long, once a second (the many-rooms load's delivery
// p99). So a pass goes in slices, the loop's other work (reads, inbox drains) running between
// them; the next period starts when the pass has ended.
void LoopSweep::continue_pass() {
  const std::size_t end = std::min(pass_.size(), next_ + slice);
  for (; next_ < end; ++next_) pass_[next_]->sweep(pass_at_);
  if (next_ < pass_.size()) {
    timer_.expires_after(std::chrono::steady_clock::duration::zero());
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || stopped_) return;
      continue_pass();
    });
    return;
  }
  pass_.clear();  // the pass's references go: a closed session is freed now, not a period later
  arm();
}

std::vector<std::shared_ptr<Sweepable>> LoopSweep::snapshot() {
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
  return live;
}

void LoopSweep::run_once(std::chrono::steady_clock::time_point now) {
  for (auto& s : snapshot()) s->sweep(now);
}

void LoopSweep::arm_deadline(FrameDeadline& d, std::chrono::steady_clock::time_point at) {
  d.unlink();
  d.at_ = at;
  // In order from the back: with one timeout for all, a new deadline is almost always the last.
  auto pos = deadlines_.end();
  while (pos != deadlines_.begin() && std::prev(pos)->at_ > at) --pos;
  deadlines_.insert(pos, d);
  if (!deadline_waiting_ || at < deadline_timer_at_) wait_for_first_deadline();
}

void LoopSweep::wait_for_first_deadline() {
  deadline_waiting_ = true;
  deadline_timer_at_ = deadlines_.front().at_;
  deadline_timer_.expires_at(deadline_timer_at_);
  deadline_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec == boost::asio::error::operation_aborted) return;  // re-armed earlier, or stopping
    deadline_waiting_ = false;
    expire_deadlines(std::chrono::steady_clock::now());
  });
}

void LoopSweep::expire_deadlines(std::chrono::steady_clock::time_point now) {
  // A callback may arm or disarm others: unlink each before running it.
  while (!deadlines_.empty() && deadlines_.front().at_ <= now) {
    FrameDeadline& d = deadlines_.front();
    d.unlink();
    if (d.expired_) d.expired_();
  }
  if (!deadlines_.empty() && !deadline_waiting_) wait_for_first_deadline();
}

}  // namespace gateway
