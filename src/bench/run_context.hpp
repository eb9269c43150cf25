#pragma once
// State every connection of a run shares: the configuration, the message ledger and counters the
// main thread watches. The counters are atomics touched once per connection event, never per
// frame (frames are counted per worker).
#include <atomic>
#include <cstdint>

#include "bench/config.hpp"
#include "bench/marker.hpp"
#include "bench/tracker.hpp"

namespace bench {

struct RunContext {
  RunContext(const Config& c, Tracker& t, const Marker& m) : config(c), tracker(t), marker(m) {}

  const Config& config;
  Tracker& tracker;
  const Marker& marker;
  std::atomic<bool> sending{false};      // throughput: senders refill their window
  std::atomic<bool> stopping{false};     // the run is over: errors are no longer news
  std::atomic<std::uint64_t> opened{0};  // handshakes answered 101
  std::atomic<std::uint64_t> failed{0};  // connects or handshakes that failed
  std::atomic<std::uint64_t> ready{0};   // connections that received their first message
  std::atomic<std::uint64_t> closed{0};  // open connections the server closed or lost
};

}  // namespace bench
