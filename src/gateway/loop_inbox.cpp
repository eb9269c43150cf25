#include "gateway/loop_inbox.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "core/commit_hold.hpp"

namespace gateway {
namespace {
// Item vectors this thread has handed over and got back spent (LoopInbox::push swaps in the
// loop's last drained one), kept for its next Outbox: a fan-out to 1,000 then allocates nothing
// instead of a fresh 40 KB vector per post and socket thread (as the thread-local batch this
// replaced did). Only capacity lives here, never a frame: no state of a post crosses a call.
constexpr std::size_t max_spare = 4;
thread_local std::vector<std::vector<LoopInbox::Item>> spare;
}  // namespace

void Outbox::add(LoopInbox& inbox, std::shared_ptr<Deliverable> to, apigw::SharedFrame frame) {
  auto here = std::find_if(by_inbox_.begin(), by_inbox_.end(),
                           [&inbox](const auto& entry) { return entry.first == &inbox; });
  if (here == by_inbox_.end()) {
    std::vector<LoopInbox::Item> items;
    if (!spare.empty()) {
      items = std::move(spare.back());
      spare.pop_back();
    }
    items.reserve(expected_);
    here = by_inbox_.emplace(by_inbox_.end(), &inbox, std::move(items));
  }
  here->second.push_back({std::move(to), std::move(frame), options_.linger});
}

void Outbox::hand_over() {
  if (auto* hold = core::CommitHold::current(); hold && hold->waiting()) {
    // The invocation's writes are not committed yet: its frames go out once they are (or
    // never, when the commit fails). core/commit_hold.hpp.
    std::vector<std::pair<LoopInbox*, std::vector<LoopInbox::Item>>> held;
    for (auto& [inbox, items] : by_inbox_)
      if (!items.empty()) held.emplace_back(inbox, std::move(items));
    by_inbox_.clear();
    if (held.empty()) return;
    hold->hold([held = std::move(held)]() mutable {
      for (auto& [inbox, items] : held) inbox->push(items);
    });
    return;
  }
  for (auto& [inbox, items] : by_inbox_) {
    if (!items.empty()) inbox->push(items);
    if (items.capacity() > 0 && spare.size() < max_spare) spare.push_back(std::move(items));
    items = {};
  }
}

void LoopInbox::push(std::vector<Item>& items) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (items_.empty()) {
      items_.swap(items);  // the loop's spent vector comes back to this thread: no allocation
    } else {
      items_.insert(items_.end(), std::make_move_iterator(items.begin()),
                    std::make_move_iterator(items.end()));
    }
    wake = claim_drain();
  }
  items.clear();
  if (wake) schedule_drain();
}

bool LoopInbox::claim_drain() {
  const bool wake = !scheduled_;
  scheduled_ = true;
  return wake;
}

void LoopInbox::schedule_drain() { boost::asio::post(loop_, [this] { drain(); }); }

namespace {
// Connections flushed before the loop turns to its other work.
constexpr std::size_t flush_slice = 256;
}  // namespace

void LoopInbox::drain() {
  {
    std::lock_guard lock(mutex_);
    batch_.swap(items_);
    scheduled_ = false;
  }
  // Every frame is queued before any is written: a connection's frames share one write.
  for (auto& item : batch_) {
    switch (item.to->deliver(std::move(item.frame), item.may_linger)) {
      case Deliverable::Owed::flush: to_flush_.push_back(std::move(item.to)); break;
      case Deliverable::Owed::lingering_flush: lingering_.push_back(std::move(item.to)); break;
      case Deliverable::Owed::nothing: break;
    }
  }
  batch_.clear();
  if (!lingering_.empty() && !linger_armed_) {
    linger_armed_ = true;
    linger_timer_.expires_after(linger);
    linger_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;  // the inbox is going away
      flush_lingering();
    });
  }
  if (!flushing_) flush_some();
}

// A connection flushed meanwhile (a frame that could not wait) is flushed again: a no-op.
void LoopInbox::flush_lingering() {
  linger_armed_ = false;
  to_flush_.insert(to_flush_.end(), std::make_move_iterator(lingering_.begin()),
                   std::make_move_iterator(lingering_.end()));
  lingering_.clear();
  if (!flushing_) flush_some();
}

void LoopInbox::flush_some() {
  flushing_ = true;
  const std::size_t end = std::min(to_flush_.size(), flushed_ + flush_slice);
  for (; flushed_ < end; ++flushed_) to_flush_[flushed_]->flush();
  if (flushed_ < to_flush_.size()) {
    boost::asio::post(loop_, [this] { flush_some(); });
    return;
  }
  to_flush_.clear();
  flushed_ = 0;
  flushing_ = false;
}

}  // namespace gateway
