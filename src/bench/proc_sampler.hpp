#pragma once
// Samples the server's memory and CPU from /proc (and the generator's own CPU) on its own thread,
// so a saturated server, or a saturated generator, shows in the report.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace bench {

struct CpuSnapshot {
  std::int64_t at_ns = 0;
  std::uint64_t server_ticks = 0;  // utime + stime of the server processes, in clock ticks
  std::uint64_t self_ticks = 0;    // the same for this process
};

class ProcSampler {
 public:
  // `pids`: the server's processes (their RSS and CPU are summed). Empty: only own CPU is measured.
  explicit ProcSampler(std::vector<int> pids);
  ~ProcSampler();

  CpuSnapshot snapshot() const;
  // CPU use between two snapshots in percent of one core (200 = two cores busy).
  static double server_cpu(const CpuSnapshot& a, const CpuSnapshot& b);
  static double self_cpu(const CpuSnapshot& a, const CpuSnapshot& b);

  // Resident set now (VmRSS), the highest sampled so far, and the kernel's high-water mark (VmHWM).
  std::uint64_t rss_kb() const;
  std::uint64_t peak_rss_kb() const { return peak_kb_.load(); }
  std::uint64_t hwm_kb() const;
  bool watching() const { return !pids_.empty(); }

  // Reads one "Name:   N kB" field of /proc/PID/status; 0 when absent.
  static std::uint64_t status_kb(int pid, const char* field);
  // utime + stime from /proc/PID/stat; 0 when the process is gone.
  static std::uint64_t stat_ticks(int pid);

 private:
  void loop();

  std::vector<int> pids_;
  std::atomic<std::uint64_t> peak_kb_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace bench
