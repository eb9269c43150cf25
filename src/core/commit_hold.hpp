#pragma once
// Writes that share a commit with other invocations' writes, and the effects that wait for it.
//
// A handler's write returns once it is written in a transaction the store leaves open, so that
// the writes of every invocation handled meanwhile share one commit; what the invocation lets
// out (its posts, its answer) waits until that commit: nothing is acknowledged or delivered
// before it is durable, and a failed commit lets none of it out. The integration that runs the
// handler (integration::InProcess) opens a CommitHold around it; the store records its writes
// in it (CommitHold::wrote), the gateway's posts are held in it (CommitHold::hold), and at the
// invocation's end the integration asks the store to commit and releases the hold. Without a
// hold on the thread (any other caller), a store write commits before it returns, as always.
// docs/data-model.md, "Writes that share a commit".
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace core {

// One open write transaction of a store, and what waits for its outcome. Thread-safe.
class OpenBatch {
 public:
  // Runs `then(committed)` once the batch has committed (true) or was rolled back (false): at
  // once, on this thread, when it already has; otherwise on the thread that settles it.
  void when_settled(std::function<void(bool committed)> then);
  // The store, once: the batch committed or was rolled back; runs what waits, in the order it
  // was added.
  void settle(bool committed);
  bool settled() const;

 private:
  mutable std::mutex mutex_;
  std::optional<bool> outcome_;
  std::vector<std::function<void(bool)>> waiting_;
};

// A store that leaves batches open: commits the one open now, if any (from any thread).
class BatchCommitter {
 public:
  virtual void commit_open() = 0;

 protected:
  ~BatchCommitter() = default;
};

// The effects of the invocation running on this thread that wait for its writes' commit.
// Used by one thread at a time; released once.
class CommitHold {
 public:
  CommitHold() = default;
  CommitHold(const CommitHold&) = delete;
  CommitHold& operator=(const CommitHold&) = delete;

  // The hold of the invocation running on this thread, or nullptr.
  static CommitHold* current() noexcept;

  // Makes `hold` this thread's current hold for its lifetime (the previous one after).
  class Scope {
   public:
    explicit Scope(CommitHold& hold) noexcept;
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    CommitHold* previous_;
  };

  // The store: a write of this invocation is in `batch`, which `committer` commits.
  void wrote(const std::shared_ptr<OpenBatch>& batch, BatchCommitter& committer);
  // Whether a write of this invocation waits for its commit: its effects must wait too.
  bool waiting() const noexcept { return !batches_.empty(); }
  // The committers of the batches written in (usually one), for the integration to ask.
  const std::vector<BatchCommitter*>& committers() const noexcept { return committers_; }

  // An effect that must wait for the writes (the gateway's hand-over of a post's frames): run
  // once every batch written in has committed, in the order held; dropped when one failed.
  void hold(std::function<void()> effect);

  // The invocation's end: `then(true)` once every batch written in has committed, after the
  // held effects ran; `then(false)` when one was rolled back (the effects dropped). At once
  // when nothing waits. On the thread that settles the last batch.
  void release(std::function<void(bool committed)> then);

 private:
  std::vector<std::shared_ptr<OpenBatch>> batches_;
  std::vector<BatchCommitter*> committers_;
  std::vector<std::function<void()>> effects_;
};

}  // namespace core
