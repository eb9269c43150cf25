#include "bench/proc_sampler.hpp"

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "bench/tracker.hpp"

namespace bench {

ProcSampler::ProcSampler(std::vector<int> pids) : pids_(std::move(pids)) {
  if (!pids_.empty()) thread_ = std::thread([this] { loop(); });
}

ProcSampler::~ProcSampler() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::uint64_t ProcSampler::status_kb(int pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  const std::size_t n = std::strlen(field);
  while (std::getline(in, line))
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':')
      return std::stoull(line.substr(n + 1));
  return 0;
}

std::uint64_t ProcSampler::stat_ticks(int pid) {
  std::ifstream in(pid == 0 ? std::string("/proc/self/stat") : "/proc/" + std::to_string(pid) + "/stat");
  std::string s;
  std::getline(in, s);
  // The command name may hold spaces and parentheses: fields are counted after the last ')'.
  const auto close = s.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(s.substr(close + 2));
  std::string f;
  std::uint64_t utime = 0, stime = 0;
  for (int i = 3; fields >> f; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stoull(f);
    if (i == 15) {
      stime = std::stoull(f);
      break;
    }
  }
  return utime + stime;
}

CpuSnapshot ProcSampler::snapshot() const {
  CpuSnapshot s;
  s.at_ns = now_ns();
  for (int pid : pids_) s.server_ticks += stat_ticks(pid);
  s.self_ticks = stat_ticks(0);
  return s;
}

namespace {
double percent(std::uint64_t ticks_a, std::uint64_t ticks_b, std::int64_t ns_a, std::int64_t ns_b) {
  const double seconds = static_cast<double>(ns_b - ns_a) / 1e9;
  if (seconds <= 0 || ticks_b < ticks_a) return 0;
  return 100.0 * static_cast<double>(ticks_b - ticks_a) / static_cast<double>(sysconf(_SC_CLK_TCK)) /
         seconds;
}
}  // namespace

double ProcSampler::server_cpu(const CpuSnapshot& a, const CpuSnapshot& b) {
  return percent(a.server_ticks, b.server_ticks, a.at_ns, b.at_ns);
}

double ProcSampler::self_cpu(const CpuSnapshot& a, const CpuSnapshot& b) {
  return percent(a.self_ticks, b.self_ticks, a.at_ns, b.at_ns);
}

std::uint64_t ProcSampler::rss_kb() const {
  std::uint64_t sum = 0;
  for (int pid : pids_) sum += status_kb(pid, "VmRSS");
  return sum;
}

std::uint64_t ProcSampler::hwm_kb() const {
  std::uint64_t sum = 0;
  for (int pid : pids_) sum += status_kb(pid, "VmHWM");
  return sum;
}

void ProcSampler::loop() {
  while (!stop_) {
    const std::uint64_t kb = rss_kb();
    if (kb > peak_kb_) peak_kb_ = kb;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace bench
