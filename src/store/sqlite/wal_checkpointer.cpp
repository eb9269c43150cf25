#include "store/sqlite/wal_checkpointer.hpp"

#include <algorithm>
#include <utility>

#include "core/log.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace store {

core::result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::start(
    const std::filesystem::path& file, std::chrono::milliseconds busy_timeout,
    SqliteConnection& writer, Options options) {
  options.start_pages = std::max(options.start_pages, 0);
  options.writer_pages = std::max({options.writer_pages, options.start_pages, 1});
  auto own = SqliteConnection::open(file, busy_timeout, false);
  if (!own) return own.error();
  return std::unique_ptr<WalCheckpointer>(new WalCheckpointer(std::move(*own), writer, options));
}

WalCheckpointer::WalCheckpointer(std::unique_ptr<SqliteConnection> own, SqliteConnection& writer,
                                 Options options)
    : own_(std::move(own)),
      writer_(writer),
      options_(options),
      background_total_(core::metrics::registry().counter(
          "parley_store_wal_checkpoints_total",
          "SQLite WAL checkpoints, by who ran them: the checkpoint thread beside the writes, or "
          "a commit that found the WAL past its bound (it waited for the checkpoint)",
          "by=\"background\"")),
      writer_total_(core::metrics::registry().counter(
          "parley_store_wal_checkpoints_total", "", "by=\"writer\"")),
      thread_([this] { run(); }) {
  writer_.on_wal_commit(
      [](void* self, int pages) { static_cast<WalCheckpointer*>(self)->committed(pages); }, this);
}

WalCheckpointer::~WalCheckpointer() {
  writer_.on_wal_commit(nullptr, nullptr);
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void WalCheckpointer::committed(int wal_pages) {
  // The WAL restarted (a checkpoint had copied all of it): it counts from 0 again.
  since_wake_ += wal_pages >= last_pages_ ? wal_pages - last_pages_ : wal_pages;
  last_pages_ = wal_pages;
  if (wal_pages >= options_.writer_pages) {
    // The thread has not kept the WAL short (or commits never paused for its checkpoint to
    // finish): copy the rest here, so that the next commit restarts the WAL.
    auto r = writer_.checkpoint_passive();
    if (r && !r->busy) {
      std::lock_guard lock(mutex_);
      ++stats_.by_writer;
      writer_total_.inc();
    }
    return;
  }
  if (options_.start_pages == 0 || since_wake_ < options_.start_pages) return;
  since_wake_ = 0;
  {
    std::lock_guard lock(mutex_);
    wanted_ = true;
  }
  wake_.notify_one();
}

void WalCheckpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return wanted_ || stop_; });
    if (stop_) return;
    wanted_ = false;
    lock.unlock();
    auto r = own_->checkpoint_passive();
    if (!r) {
      core::log::warn("wal checkpoint failed; the next one will retry",
                      {{"error", r.error().message()}});
    }
    lock.lock();
    if (r && !r->busy) {
      ++stats_.background;
      background_total_.inc();
    }
  }
}

WalCheckpointer::Stats WalCheckpointer::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace store
