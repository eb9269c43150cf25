#include "gateway/inspect_viewer.hpp"

#include <utility>

namespace gateway {

InspectViewer::~InspectViewer() {
  if (tally_) tally_->fetch_sub(static_cast<std::int64_t>(bytes_));
}

bool InspectViewer::push(std::string message) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (bytes_ + message.size() > bound_) {
      // Dropping the newest keeps what the viewer will read next in order; the count tells it
      // that there is a gap, and where.
      ++dropped_;
      return false;
    }
    bytes_ += message.size();
    if (tally_) tally_->fetch_add(static_cast<std::int64_t>(message.size()));
    queue_.push_back(std::move(message));
    wake = std::exchange(waiting_, false);
  }
  if (wake && wake_) wake_();
  return true;
}

InspectViewer::Batch InspectViewer::take() {
  Batch b;
  std::lock_guard lock(mutex_);
  b.text.reserve(bytes_);
  for (auto& m : queue_) b.text += m;
  queue_.clear();
  if (tally_) tally_->fetch_sub(static_cast<std::int64_t>(bytes_));
  bytes_ = 0;
  b.dropped = std::exchange(dropped_, 0);
  if (b.text.empty() && b.dropped == 0) waiting_ = true;
  return b;
}

std::size_t InspectViewer::buffered() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace gateway
