#include "app/data_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace app {
namespace {

// Line `index` (0: the pid, 1: the boot id) of the lock file.
std::string read_line(int fd, int index) {
  char buf[128] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::istringstream in(std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0));
  std::string line;
  for (int i = 0; i <= index; ++i)
    if (!std::getline(in, line)) return "";
  return line;
}

std::string read_boot_id(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string id;
  std::getline(in, id);
  return id;
}

}  // namespace

DataLock::DataLock(const std::filesystem::path& dir, const std::filesystem::path& boot_id_file)
    : file_(dir / "parley.lock"), boot_(read_boot_id(boot_id_file)) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create the data directory " + dir.string() + ": " + ec.message());
  fd_ = ::open(file_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error("cannot open " + file_.string() + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const std::string pid = read_line(fd_, 0);
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK)
      throw Busy("the data directory " + dir.string() + " is in use by another parley serve" +
                 (pid.empty() ? "" : " (pid " + pid + ")") +
                 ": stop it first, or give this one another --data directory");
    throw std::runtime_error("cannot lock " + file_.string() + ": " + std::strerror(err));
  }
  previous_boot_ = read_line(fd_, 1);
  // Ours now: the pid for the message a second server prints, and this boot's id, synced so
  // that after an OS crash the file cannot claim a boot it did not see through. Best effort:
  // the lock is what counts; a file that lost its text only costs a counter recovery.
  const std::string text = std::to_string(::getpid()) + "\n" + boot_ + "\n";
  if (::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()))
    (void)::fsync(fd_);
}

DataLock::~DataLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace app
