#pragma once
// Checkpoints of the SQLite file's WAL on a thread of their own, so that a write never waits
// for one. Internal to store/sqlite.
//
// With SQLite's own autocheckpoint the commit that takes the WAL past its threshold copies every
// page of the WAL into the database and fsyncs both files before it returns: with the writer's
// mutex held, so every append and $connect behind it waited too (5-20 ms every ~450 commits on
// the many-rooms load: the steady phase's p90 and p99). Here the writer's commit only counts
// the WAL's growth (sqlite3_wal_hook) and wakes this thread every `start_pages` new pages; the
// thread runs a PASSIVE checkpoint on its own connection, which copies what is committed
// without taking the write lock, beside the commits that go on.
//
// A PASSIVE checkpoint that runs while commits go on never catches up with the last ones, and a
// WAL restarts from its beginning only once all of it is in the database: under a load that
// never pauses the file would grow without end. So past `writer_pages` pages the committing
// writer checkpoints itself, as SQLite's autocheckpoint does; by then the thread has copied all
// but the last few pages, so that checkpoint is short, and the next commit restarts the WAL.
//
// Durability is SQLite's: WAL + synchronous=NORMAL on every connection, the checkpoint fsyncs
// the WAL before it copies and the database after.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "core/error.hpp"
#include "core/metrics.hpp"

namespace store {

class SqliteConnection;

class WalCheckpointer {
 public:
  struct Options {
    // New WAL pages (1 KiB each, sqlite_schema.cpp) between two of the thread's checkpoints;
    // 0: the thread never runs one (only the writer's bound below applies).
    int start_pages = 4000;
    // WAL pages past which the committing writer checkpoints itself (bounds the file:
    // ~1 KiB per page); at least start_pages.
    int writer_pages = 24000;
  };

  // Opens the thread's own connection to `file` (whose schema is in place) and hooks `writer`'s
  // commits; `writer` must outlive this object, and no commit may run while it is built or
  // destroyed.
  static core::result<std::unique_ptr<WalCheckpointer>> start(const std::filesystem::path& file,
                                                              std::chrono::milliseconds busy_timeout,
                                                              SqliteConnection& writer,
                                                              Options options);
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;
  // Unhooks the writer and joins the thread (a checkpoint under way finishes first).
  ~WalCheckpointer();

  struct Stats {
    std::uint64_t background = 0;  // checkpoints run by the thread
    std::uint64_t by_writer = 0;   // run by a commit past writer_pages
  };
  Stats stats() const;

 private:
  WalCheckpointer(std::unique_ptr<SqliteConnection> own, SqliteConnection& writer, Options options);
  // The writer's commit hook: on the writer's thread, with its write lock held.
  void committed(int wal_pages);
  void run();

  std::unique_ptr<SqliteConnection> own_;  // the thread's connection
  SqliteConnection& writer_;
  const Options options_;
  // The writer's thread only (commits are serialized by the adapter's write mutex).
  int last_pages_ = 0;
  int since_wake_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool wanted_ = false;  // guarded by mutex_
  bool stop_ = false;    // guarded by mutex_
  Stats stats_;          // guarded by mutex_
  core::metrics::Counter& background_total_;
  core::metrics::Counter& writer_total_;
  std::thread thread_;   // last: started once everything above is built
};

}  // namespace store
