#include "store/sqlite/group_commit.hpp"

#include <exception>

#include "core/log.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace store {

GroupCommit::GroupCommit(std::mutex& write_mutex, SqliteConnection& writer)
    : write_mutex_(write_mutex),
      writer_(writer),
      batches_total_(core::metrics::registry().counter(
          "parley_store_group_commits_total",
          "SQLite write transactions run by the group commit (appends and $connect rows)")),
      writes_total_(core::metrics::registry().counter(
          "parley_store_group_commit_writes_total",
          "Writes carried by those transactions: divided by the transactions, the mean batch size")) {}

core::result<void> GroupCommit::run(Write write) {
  Waiter me{&write, std::nullopt};
  std::unique_lock lock(mutex_);
  queue_.push_back(&me);
  while (!me.outcome) {
    if (leading_) {
      done_.wait(lock);
      continue;
    }
    // No batch running and this write not yet run: lead the next batch.
    leading_ = true;
    lock.unlock();
    std::vector<Waiter*>& batch = batch_;
    core::result<void> outcome = core::make_error_code(core::errc::internal);
    try {
      std::lock_guard writer(write_mutex_);
      {
        // Taken once the writer is ours: what arrived while a single write held it joins too.
        std::lock_guard queue(mutex_);
        batch.swap(queue_);
      }
      outcome = commit(batch);
    } catch (const std::exception& e) {
      // bad_alloc or a mutex's system_error: every waiter of the batch learns it failed.
      try {
        core::log::error("store exception", {{"op", "group_commit"}, {"error", e.what()}});
      } catch (...) {
      }
    } catch (...) {
      // Not ours to rethrow: the waiters would never learn, and no next leader would start.
    }
    lock.lock();
    // The batch was taken after this leader queued itself, so it holds `me`; an exception
    // before the swap left every waiter queued for the next leader.
    for (Waiter* w : batch) w->outcome = outcome;
    if (!batch.empty()) {
      ++stats_.batches;
      stats_.writes += batch.size();
      batches_total_.inc();
      writes_total_.inc(batch.size());
    } else if (!me.outcome) {
      me.outcome = outcome;  // the exception came before the swap: fail this caller alone
      std::erase(queue_, &me);
    }
    batch.clear();
    leading_ = false;
    done_.notify_all();
  }
  return *me.outcome;
}

core::result<void> GroupCommit::commit(const std::vector<Waiter*>& batch) {
  bool needs_sync = false;
  auto r = attempt(batch, false, needs_sync);
  if (!r || !needs_sync) return r;
  // A write's room ran out of reserved seqs: the whole batch again, in one synced commit (once
  // per kSeqReserve messages of a room). synchronous cannot change inside a transaction, and
  // the first attempt was rolled back.
  if (auto s = writer_.exec("PRAGMA synchronous=FULL"); !s) return s;
  r = attempt(batch, true, needs_sync);
  if (auto s = writer_.exec("PRAGMA synchronous=NORMAL"); !s && r) return s;
  if (r && needs_sync) return core::make_error_code(core::errc::internal);
  return r;
}

core::result<void> GroupCommit::attempt(const std::vector<Waiter*>& batch, bool synced,
                                        bool& needs_sync) {
  needs_sync = false;
  // BEGIN IMMEDIATE: the file's write lock from the start, so another process on the file
  // waits in busy_timeout at BEGIN rather than failing mid-batch (sqlite_connection.hpp).
  auto tx = WriteTransaction::begin(writer_);
  if (!tx) return tx.error();
  for (const Waiter* w : batch) {
    auto written = (*w->write)(writer_, synced);
    if (!written) return written.error();  // tx rolls back: none of the batch is stored
    if (*written == Written::needs_sync) {
      needs_sync = true;
      return {};  // rolled back; the caller runs the batch again synced
    }
  }
  return tx->commit();  // a failed COMMIT is rolled back by tx's destructor
}

GroupCommit::Stats GroupCommit::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::size_t GroupCommit::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

}  // namespace store
