#pragma once
// A function's log as `sam local` shows it in the terminal: what its process prints (stdout and
// stderr, one pipe) line by line, each line prefixed with the function's name and the request
// id it was printed during, and Lambda's own lines around each invocation:
//
//   [ConnectFunction] START RequestId: 6f1c… Version: $LATEST
//   [ConnectFunction] 6f1c…  hello from the handler
//   [ConnectFunction] END RequestId: 6f1c…
//   [ConnectFunction] REPORT RequestId: 6f1c…  Duration: 3.21 ms  Billed Duration: 4 ms  Memory Size: 128 MB  Max Memory Used: 21 MB  Init Duration: 84.10 ms
//
// Everything goes to the gateway's standard error in whole lines (one write each batch).
#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace integration::lambda_process {

class FunctionLog {
 public:
  explicit FunctionLog(std::string function_name);

  // Output of the process: complete lines are printed, a partial one waits for its end.
  // request_id: the invocation running now (empty during init or between invocations).
  void output(std::string_view chunk, const std::string& request_id);
  // Prints a partial line left over (the process ended, or the invocation did).
  void flush(const std::string& request_id);

  void init_start(const std::string& runtime);
  void start(const std::string& request_id);
  // END and REPORT; init: the environment's init duration when this was its first invocation.
  void end(const std::string& request_id, std::chrono::nanoseconds duration, int memory_mb,
           int max_memory_used_mb, std::optional<std::chrono::nanoseconds> init);

  // Also keeps the last `recent_lines` lines in `recent` (the inspector's Functions panel).
  void keep_recent(std::deque<std::string>* recent) { recent_ = recent; }
  static constexpr std::size_t recent_lines = 40;

  // For tests: the text instead of stderr.
  void capture(std::string* sink) { sink_ = sink; }

 private:
  void emit(std::string text);
  std::string prefix_;
  std::string partial_;
  std::string* sink_ = nullptr;
  std::deque<std::string>* recent_ = nullptr;
};

// The process's peak resident memory in MB (VmHWM of /proc/PID/status), 0 when unknown.
int max_memory_used_mb(int pid);

}  // namespace integration::lambda_process
