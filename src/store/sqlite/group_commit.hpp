#pragma once
// Group commit for the SQLite adapter's writes: the writes that arrive while another batch is
// committing (or while the writer is taken) go into one transaction together, so that a commit's
// fixed costs — the BEGIN IMMEDIATE/COMMIT lock round (fcntl on the file and its -shm), the WAL
// frames of the pages every write touches (the rooms row, the messages leaf) — are paid once per
// batch instead of once per write. Internal to store/sqlite.
//
// What each caller keeps: its call returns only after the transaction holding its write has
// committed (nothing is acknowledged or delivered before it is durable), with that
// transaction's outcome: a batch that fails in any of its writes or at COMMIT fails every write
// in it (each caller gets the error) and stores none of them. Writes run in the order they
// arrived, so seqs of a room follow arrival order; a connection's frames reach the store one
// after another (their lane), so a caller never has two writes in one batch.
//
// Leader/follower, no thread of its own: the first caller to find no batch running becomes the
// leader, takes everything queued once it holds the writer, runs it, hands each waiter its
// outcome and wakes the rest; a caller still queued becomes the next leader.
//
// With a core::CommitHold on the calling thread (a handler run by the in-process integration),
// a write does not wait for its commit: it is written in a transaction left open (the open
// batch), each write in a savepoint of its own (a failed write takes back only itself), and
// returns; the hold learns the batch, and the invocation's effects wait for its commit.
// commit_open() commits it (the integration asks once the invocation is done, so everything
// handled meanwhile shares the commit); any other use of the writer commits it first
// (commit_open_locked). A write that needs a synced commit commits the open batch, then runs
// alone, synced, and is durable when it returns. core/commit_hold.hpp.
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include "core/commit_hold.hpp"
#include "core/error.hpp"
#include "core/metrics.hpp"

namespace store {

class SqliteConnection;

class GroupCommit final : public core::BatchCommitter {
 public:
  // One write, run inside the batch's transaction on the writer. `synced`: this attempt commits
  // with synchronous=FULL. Returns `written`, or `needs_sync` when it needs a synced commit (a
  // room's seq reservation is used up, Sqlite::recover_counters): the batch is then rolled back
  // and run again, every write of it, synced. A write may run twice: it must start afresh.
  enum class Written { written, needs_sync };
  // A reference to the caller's callable (a lambda given to run() lives until run() returns):
  // no allocation per write, where a std::function of an append's captures would allocate.
  // Never kept past run().
  class Write {
   public:
    template <class F>
    Write(F&& f) noexcept  // NOLINT(google-explicit-constructor): built at the call
        : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
          call_([](void* o, SqliteConnection& w, bool synced) {
            return (*static_cast<std::remove_reference_t<F>*>(o))(w, synced);
          }) {}
    core::result<Written> operator()(SqliteConnection& w, bool synced) const {
      return call_(object_, w, synced);
    }

   private:
    void* object_;
    core::result<Written> (*call_)(void*, SqliteConnection&, bool);
  };

  // `write_mutex` guards `writer` for every write of the adapter (the single writes that do not
  // go through here take it directly).
  GroupCommit(std::mutex& write_mutex, SqliteConnection& writer);
  ~GroupCommit();  // commits the open batch
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Runs `write` in the next batch; returns once that batch committed (ok) or failed (its error).
  // With a CommitHold on this thread: in the open batch, returning once written (above).
  core::result<void> run(Write write);

  // Commits the open batch, if any, and settles it.
  void commit_open() override;
  // The same with `write_mutex` held by the caller, which is about to use the writer. The
  // batch's waiters (the invocations' posts and results) run here, before the mutex goes: so
  // batches are let out in the order they committed, never the next one's frames before the
  // last one's (a connection's frames, pipelined, go into successive batches).
  void commit_open_locked();

  // This object's transactions committed or failed, and the writes they carried: writes /
  // batches is the mean batch size. /metrics shows the same for the whole process
  // (parley_store_group_commits_total, parley_store_group_commit_writes_total).
  struct Stats {
    std::uint64_t batches = 0;
    std::uint64_t writes = 0;
  };
  Stats stats() const;
  // How many writes wait for the next batch (tests: a batch is formed before it runs).
  std::size_t queued() const;

 private:
  struct Waiter {
    const Write* write;
    std::optional<core::result<void>> outcome;  // set by the leader that ran it
  };
  // Runs every write of `batch` in one transaction and commits it; with write_mutex_ held.
  core::result<void> commit(const std::vector<Waiter*>& batch);
  // The same, in one synced commit (a room's seq reservation used up); with write_mutex_ held.
  core::result<void> commit_synced(const std::vector<Waiter*>& batch);
  core::result<void> attempt(const std::vector<Waiter*>& batch, bool synced, bool& needs_sync);
  core::result<void> run_open(Write write, core::CommitHold& hold);
  // With write_mutex_ held, after a failure that ended the open transaction: rolled back.
  void abandon_open_locked();
  void count(std::size_t writes);

  std::mutex& write_mutex_;
  SqliteConnection& writer_;
  mutable std::mutex mutex_;
  std::condition_variable done_;
  std::vector<Waiter*> queue_;  // guarded by mutex_
  // The leader's batch (only the leader touches it); swapped with queue_, so both keep their
  // capacity and a batch allocates nothing.
  std::vector<Waiter*> batch_;
  bool leading_ = false;        // guarded by mutex_: a leader is running a batch
  // The open batch (a transaction begun and not committed) and its writes; guarded by
  // write_mutex_.
  std::shared_ptr<core::OpenBatch> open_;
  std::size_t open_writes_ = 0;
  Stats stats_;                 // guarded by mutex_
  core::metrics::Counter& batches_total_;
  core::metrics::Counter& writes_total_;
};

}  // namespace store
