#pragma once
// A slot where one component keeps what it worked out about another's data, held next to that
// data by its owner and cleared by the owner whenever the data changes. A copy starts empty: a
// copied list is a new list. Thread-safe.
#include <memory>
#include <mutex>

namespace core {

class Memo {
 public:
  Memo() = default;
  Memo(const Memo&) {}
  Memo& operator=(const Memo&) {
    reset();
    return *this;
  }

  std::shared_ptr<const void> get() const {
    std::lock_guard lock(mutex_);
    return value_;
  }
  void set(std::shared_ptr<const void> v) {
    std::lock_guard lock(mutex_);
    value_ = std::move(v);
  }
  void reset() { set(nullptr); }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const void> value_;
};

}  // namespace core
