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

class LoadGenerator {
 public:
  explicit LoadGenerator(Config config);
  Results run();

 private:
  void run_fanout(Results& r);
  void run_throughput(Results& r);
  void run_idle(Results& r);
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

// Histogram (microseconds) to milliseconds.
Latency to_latency(const Histogram& h);

}  // namespace bench
