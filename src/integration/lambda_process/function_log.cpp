#include "integration/lambda_process/function_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace integration::lambda_process {

namespace {

std::string ms(std::chrono::nanoseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f ms", static_cast<double>(d.count()) / 1e6);
  return buf;
}

}  // namespace

FunctionLog::FunctionLog(std::string function_name) : prefix_("[" + function_name + "] ") {}

void FunctionLog::emit(std::string text) {
  if (recent_) {
    std::string_view rest = text;
    while (!rest.empty()) {
      const auto nl = rest.find('\n');
      recent_->emplace_back(rest.substr(0, nl));
      if (recent_->size() > recent_lines) recent_->pop_front();
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    }
  }
  if (sink_) {
    *sink_ += text;
    return;
  }
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto n = ::write(2, rest.data(), rest.size());
    if (n <= 0) return;  // stderr gone: the log is lost, the function is not
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

void FunctionLog::output(std::string_view chunk, const std::string& request_id) {
  std::string out;
  for (;;) {
    const auto nl = chunk.find('\n');
    if (nl == std::string_view::npos) break;
    partial_.append(chunk.substr(0, nl));
    if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
    out += prefix_;
    if (!request_id.empty()) (out += request_id) += "  ";
    (out += partial_) += '\n';
    partial_.clear();
    chunk.remove_prefix(nl + 1);
  }
  partial_.append(chunk);
  // A runaway line without an end is printed in pieces rather than held without limit.
  if (partial_.size() > 64 * 1024) {
    out += prefix_ + (request_id.empty() ? "" : request_id + "  ") + partial_ + "\n";
    partial_.clear();
  }
  if (!out.empty()) emit(std::move(out));
}

void FunctionLog::flush(const std::string& request_id) {
  if (partial_.empty()) return;
  output("\n", request_id);
}

void FunctionLog::init_start(const std::string& runtime) {
  emit(prefix_ + "INIT_START Runtime Version: " + (runtime.empty() ? "provided.al2023" : runtime) +
       "\n");
}

void FunctionLog::start(const std::string& request_id) {
  emit(prefix_ + "START RequestId: " + request_id + " Version: $LATEST\n");
}

void FunctionLog::end(const std::string& request_id, std::chrono::nanoseconds duration,
                      int memory_mb, int max_memory_used_mb,
                      std::optional<std::chrono::nanoseconds> init) {
  // Lambda bills whole milliseconds, rounded up.
  const auto billed = static_cast<long long>(std::ceil(static_cast<double>(duration.count()) / 1e6));
  std::string text = prefix_ + "END RequestId: " + request_id + "\n" + prefix_ +
                     "REPORT RequestId: " + request_id + "\tDuration: " + ms(duration) +
                     "\tBilled Duration: " + std::to_string(billed) + " ms\tMemory Size: " +
                     std::to_string(memory_mb) + " MB\tMax Memory Used: " +
                     std::to_string(max_memory_used_mb) + " MB";
  if (init) text += "\tInit Duration: " + ms(*init);
  emit(std::move(text) + "\n");
}

int max_memory_used_mb(int pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/status", pid);
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[4096];
  const auto n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  const char* at = std::strstr(buf, "VmHWM:");
  if (!at) return 0;
  const long kb = std::strtol(at + 6, nullptr, 10);
  return static_cast<int>((kb + 1023) / 1024);
}

}  // namespace integration::lambda_process
