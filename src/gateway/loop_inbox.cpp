#include "gateway/loop_inbox.hpp"

#include <boost/asio/post.hpp>

namespace gateway {

void LoopInbox::post(std::shared_ptr<Deliverable> to, apigw::SharedFrame frame) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    items_.push_back({std::move(to), std::move(frame)});
    wake = !scheduled_;
    scheduled_ = true;
  }
  if (wake) boost::asio::post(loop_, [this] { drain(); });
}

void LoopInbox::drain() {
  {
    std::lock_guard lock(mutex_);
    batch_.swap(items_);
    scheduled_ = false;
  }
  for (auto& item : batch_) item.to->deliver(std::move(item.frame));
  // Flushing after the whole batch lets a connection's frames share one write.
  for (auto& item : batch_) item.to->flush();
  batch_.clear();
}

}  // namespace gateway
