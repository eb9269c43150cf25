#pragma once
// `parley bench`'s engine: connects, then runs the requested phases (fan-out, throughput, idle)
// one after another on the same connections, each bounded in time.
#include "bench/config.hpp"
#include "bench/marker.hpp"
#include "bench/pool.hpp"
#include "bench/proc_sampler.hpp"
#include "bench/results.hpp"
#include "bench/run_context.hpp"
#include "bench/tracker.hpp"

namespace bench {

// A sending phase's window, read when it ends: the deliveries in it, its length and CPU.
struct PhaseWindow {
  std::uint64_t first = 0, last = 0;  // the sequence numbers sent in it: [first, last)
  double seconds = 0;
  PhaseCpu cpu;
  WorkerStats stats;
  double per_second() const { return seconds > 0 ? static_cast<double>(stats.delivered) / seconds : 0; }
};

class LoadGenerator {
 public:
  explicit LoadGenerator(Config config);
  Results run();

 private:
  void run_fanout(Results& r);
  void run_throughput(Results& r);
  void run_idle(Results& r);
  // The many-rooms load (rooms_load.cpp): the steady phase, then the fast one.
  void run_rooms(Results& r);
  void run_rooms_phase(RoomsPhase& p, bool fast);
  // Ends a sending phase that began at `a` with sequence number `first` (sending stopped).
  PhaseWindow close_window(const CpuSnapshot& a, std::uint64_t first);
  // Progress once a second: deliveries a second and messages sent since `first`.
  void progress_rate(const std::string& what, std::uint64_t first, std::uint64_t& frames_before) const;
  // Waits (at most 3 s) for the messages [from, to) to arrive; returns the deliveries missing,
  // less `refused` (what refused sends would have delivered: they were never routed).
  std::uint64_t drain(std::uint64_t from, std::uint64_t to, std::uint64_t refused);
  // Merges and clears the workers' stats (a barrier on each worker thread).
  WorkerStats collect();
  void progress(const std::string& line) const;

  Config config_;
  Marker marker_;
  Tracker tracker_;
  RunContext ctx_;
  ProcSampler sampler_;
  Pool pool_;
};

double seconds_between(std::int64_t a_ns, std::int64_t b_ns);
// The server's (when watched) and the generator's CPU between two snapshots.
PhaseCpu cpu_between(const CpuSnapshot& a, const CpuSnapshot& b, bool server);
// Histogram (microseconds) to milliseconds.
Latency to_latency(const Histogram& h);

}  // namespace bench
