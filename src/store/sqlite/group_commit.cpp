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

GroupCommit::~GroupCommit() { commit_open(); }

core::result<void> GroupCommit::run(Write write) {
  if (auto* hold = core::CommitHold::current()) return run_open(write, *hold);
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
      commit_open_locked();  // the open batch, committed before this one
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
  // per kSeqReserve messages of a room); the first attempt was rolled back.
  return commit_synced(batch);
}

core::result<void> GroupCommit::commit_synced(const std::vector<Waiter*>& batch) {
  // synchronous cannot change inside a transaction.
  if (auto s = writer_.exec("PRAGMA synchronous=FULL"); !s) return s;
  bool needs_sync = false;
  auto r = attempt(batch, true, needs_sync);
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

core::result<void> GroupCommit::run_open(Write write, core::CommitHold& hold) {
  std::lock_guard writer(write_mutex_);
  if (!open_) {
    if (auto r = writer_.exec_cached("BEGIN IMMEDIATE"); !r) return r;
    open_ = std::make_shared<core::OpenBatch>();
    open_writes_ = 0;
  }
  if (auto r = writer_.exec_cached("SAVEPOINT w"); !r) {
    if (!writer_.in_transaction()) abandon_open_locked();
    return r;
  }
  auto undo = [this] {
    return writer_.exec_cached("ROLLBACK TO w").has_value() &&
           writer_.exec_cached("RELEASE w").has_value() && writer_.in_transaction();
  };
  core::result<Written> written = core::make_error_code(core::errc::internal);
  try {
    written = write(writer_, false);
  } catch (...) {
    // Taken back as a failed write is (the adapter's guard reports the exception).
    if (!undo()) abandon_open_locked();
    throw;
  }
  if (written && *written == Written::written) {
    if (auto r = writer_.exec_cached("RELEASE w"); !r) {
      if (!writer_.in_transaction()) abandon_open_locked();
      return r;
    }
    ++open_writes_;
    hold.wrote(open_, *this);
    return {};
  }
  // This write only is taken back; the batch's other writes stay. A failure that ended the
  // transaction (an I/O error, a full disk) took them all: the batch is rolled back.
  if (!undo()) {
    abandon_open_locked();
    return written ? core::make_error_code(core::errc::internal) : written.error();
  }
  if (!written) return written.error();
  // A room's reservation is used up: the others commit as they are, then this write alone,
  // synced (as the leader's batch does): durable when it returns, nothing for the hold.
  commit_open_locked();
  Waiter me{&write, std::nullopt};
  auto r = commit_synced({&me});
  if (r) count(1);
  return r;
}

void GroupCommit::commit_open() {
  std::lock_guard writer(write_mutex_);
  commit_open_locked();
}

void GroupCommit::commit_open_locked() {
  if (!open_) return;
  auto committed = writer_.exec_cached("COMMIT");
  if (!committed) {
    if (writer_.in_transaction()) (void)writer_.exec("ROLLBACK");
    core::log::error("store commit failed",
                     {{"op", "group_commit"}, {"writes", open_writes_},
                      {"error", committed.error().message()}});
    abandon_open_locked();
    return;
  }
  count(open_writes_);
  open_writes_ = 0;
  auto batch = std::move(open_);
  batch->settle(true);
}

void GroupCommit::abandon_open_locked() {
  if (!open_) return;
  if (writer_.in_transaction()) (void)writer_.exec("ROLLBACK");
  open_writes_ = 0;
  auto batch = std::move(open_);
  batch->settle(false);
}

void GroupCommit::count(std::size_t writes) {
  if (writes == 0) return;
  {
    std::lock_guard lock(mutex_);
    ++stats_.batches;
    stats_.writes += writes;
  }
  batches_total_.inc();
  writes_total_.inc(writes);
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
