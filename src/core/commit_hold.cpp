#include "core/commit_hold.hpp"

#include <algorithm>

namespace core {

void OpenBatch::when_settled(std::function<void(bool)> then) {
  std::unique_lock lock(mutex_);
  if (!outcome_) {
    waiting_.push_back(std::move(then));
    return;
  }
  const bool committed = *outcome_;
  lock.unlock();
  then(committed);
}

void OpenBatch::settle(bool committed) {
  std::vector<std::function<void(bool)>> waiting;
  {
    std::lock_guard lock(mutex_);
    if (outcome_) return;
    outcome_ = committed;
    waiting.swap(waiting_);
  }
  for (auto& then : waiting) then(committed);
}

bool OpenBatch::settled() const {
  std::lock_guard lock(mutex_);
  return outcome_.has_value();
}

namespace {
thread_local CommitHold* current_hold = nullptr;
}

CommitHold* CommitHold::current() noexcept { return current_hold; }

CommitHold::Scope::Scope(CommitHold& hold) noexcept : previous_(current_hold) {
  current_hold = &hold;
}

CommitHold::Scope::~Scope() { current_hold = previous_; }

void CommitHold::wrote(const std::shared_ptr<OpenBatch>& batch, BatchCommitter& committer) {
  if (std::find(batches_.begin(), batches_.end(), batch) == batches_.end())
    batches_.push_back(batch);
  if (std::find(committers_.begin(), committers_.end(), &committer) == committers_.end())
    committers_.push_back(&committer);
}

void CommitHold::hold(std::function<void()> effect) { effects_.push_back(std::move(effect)); }

void CommitHold::release(std::function<void(bool)> then) {
  if (batches_.empty()) {
    for (auto& effect : effects_) effect();
    then(true);
    return;
  }
  // Settled on whichever threads commit the batches: the last one runs the effects.
  struct Waiting {
    std::atomic<std::size_t> left;
    std::atomic<bool> committed{true};
    std::vector<std::function<void()>> effects;
    std::function<void(bool)> then;
  };
  auto w = std::make_shared<Waiting>();
  w->left.store(batches_.size());
  w->effects = std::move(effects_);
  w->then = std::move(then);
  auto batches = std::move(batches_);
  batches_.clear();
  effects_.clear();
  for (const auto& batch : batches) {
    batch->when_settled([w](bool committed) {
      if (!committed) w->committed.store(false);
      if (w->left.fetch_sub(1) != 1) return;
      const bool all = w->committed.load();
      if (all)
        for (auto& effect : w->effects) effect();
      w->effects.clear();
      w->then(all);
    });
  }
}

}  // namespace core
