#pragma once
// A child process as Lambda starts an execution environment's runtime: the executable and its
// arguments, only the environment given (nothing inherited), the working directory, stdout and
// stderr into one pipe (Lambda's log stream: the gateway prints its lines with the function's
// name and request id), no other descriptor of this process. Its exit is watched through a
// pidfd, which Asio can wait on like a socket.
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace integration::lambda_process {

struct ChildProcess {
  pid_t pid = -1;
  int pidfd = -1;   // readable once the process has exited; the caller owns it
  int output = -1;  // the read end of its stdout+stderr pipe (non-blocking); the caller owns it
};

// Starts `exe` with `args` (after argv[0]) and exactly `env` ("NAME=value" each) in `cwd`. On
// failure `why` says why (no such file, not executable, ...).
core::result<ChildProcess> spawn_child(const std::filesystem::path& exe,
                                       const std::vector<std::string>& args,
                                       const std::vector<std::string>& env,
                                       const std::filesystem::path& cwd, std::string& why);

// Reaps an exited child: "exit status N" or "signal: killed" (Lambda's wording).
std::string reap_child(pid_t pid);

}  // namespace integration::lambda_process
