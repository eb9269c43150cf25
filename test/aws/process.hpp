#pragma once
// A child process for tests (node servers): started with a pipe on its stdout, stopped with
// SIGTERM (then SIGKILL) when the object goes away, so no server outlives its test.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace aws::test {

class Process {
 public:
  // argv[0] is looked up in PATH; `cwd` empty keeps ours. nullptr when fork/pipe fail.
  static std::unique_ptr<Process> start(const std::vector<std::string>& argv, const std::string& cwd = {});
  ~Process();

  // The first stdout line containing `needle`, read within `timeout`; nullopt on EOF or timeout.
  std::optional<std::string> wait_for_line(const std::string& needle, std::chrono::milliseconds timeout);
  void stop();  // SIGTERM, wait up to 3 s, then SIGKILL
  pid_t pid() const { return pid_; }

 private:
  Process(pid_t pid, int out_fd) : pid_(pid), out_fd_(out_fd) {}
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string pending_;
};

}  // namespace aws::test
