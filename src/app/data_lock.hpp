#pragma once
// DataLock: one `parley serve` per data directory. Two servers on one SQLite file would each
// believe it holds every connection of the file: the second's start clears the first's
// connection rows (their sockets live on in the first) and the two interleave their room
// counters' crash recovery. So `serve` takes an exclusive flock(2) on DIR/parley.lock before it
// opens the store, and refuses at once when another live process holds it, naming that
// process's pid (written in the file). The kernel drops the lock when the process dies, however
// it dies, so a crash never leaves a stale lock behind.
//
// The file also keeps the machine's boot id of the run that wrote it (synced): a start on the
// same boot knows no operating-system crash happened since that run (a process crash loses no
// commit), so the room counters need no recovery (store::Sqlite::recover_counters).
#include <filesystem>
#include <stdexcept>
#include <string>

namespace app {

class DataLock {
 public:
  // Takes the lock on `dir`/parley.lock (creating both). Throws DataLock::Busy when another
  // process holds it, std::runtime_error for a directory it cannot create or a file it cannot
  // open.
  // `boot_id_file`: where the kernel names this boot (tests give their own).
  explicit DataLock(const std::filesystem::path& dir,
                    const std::filesystem::path& boot_id_file = "/proc/sys/kernel/random/boot_id");
  ~DataLock();
  DataLock(const DataLock&) = delete;
  DataLock& operator=(const DataLock&) = delete;

  struct Busy : std::runtime_error {
    using std::runtime_error::runtime_error;
  };

  const std::filesystem::path& file() const { return file_; }
  // Whether the machine may have restarted since the previous run on this directory (its boot
  // id differs, or is unknown): then that run may have ended in an OS crash.
  bool machine_restarted() const { return previous_boot_.empty() || previous_boot_ != boot_; }

 private:
  std::filesystem::path file_;
  std::string boot_;           // this boot's id ("" when unknown)
  std::string previous_boot_;  // the previous run's, from the file
  int fd_ = -1;
};

}  // namespace app
