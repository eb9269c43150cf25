#pragma once
// What one `parley bench` run measured; -1 (or an empty phase) means "not measured".
#include <cstdint>
#include <string>

namespace bench {

struct Latency {  // milliseconds
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
  std::uint64_t count = 0;
};

struct PhaseCpu {  // percent of one core
  double server = -1;
  double client = -1;
};

// One phase of the many-rooms load: every connection sends to its own room.
struct RoomsPhase {
  bool ran = false;
  double seconds = 0;
  std::uint64_t sent = 0;
  std::uint64_t delivered = 0;     // in the phase's window
  double frames_per_second = 0;    // delivered / seconds
  Latency delivery;                // send -> each receipt, late ones included
  std::uint64_t missing = 0;       // deliveries not there 3 s after the phase, refusals excluded
  std::uint64_t refused = 0;       // sends refused over the rate limit (not deliveries)
  std::uint64_t duplicates = 0;
  std::uint64_t misrouted = 0;     // deliveries outside the sender's room
  std::uint64_t errors = 0;
  PhaseCpu cpu;
};

struct Results {
  std::string label;
  std::string url;
  std::size_t connections = 0;
  unsigned threads = 0;

  // connect
  std::uint64_t connected = 0;
  std::uint64_t connect_failed = 0;
  double connect_seconds = 0;
  double connect_rate = 0;  // connections/s
  double settle_seconds = 0;
  PhaseCpu connect_cpu;

  // fan-out
  bool fanout = false;
  std::size_t fanout_messages = 0;
  std::size_t fanout_complete = 0;  // messages every connection received in time
  Latency fanout_completion;        // until all N had it
  Latency fanout_delivery;          // each single delivery
  std::uint64_t fanout_missing = 0;
  PhaseCpu fanout_cpu;

  // throughput
  bool throughput = false;
  std::size_t senders = 0;
  double throughput_seconds = 0;
  std::uint64_t sent = 0;
  std::uint64_t delivered = 0;
  double frames_per_second = 0;
  Latency throughput_delivery;
  std::uint64_t throughput_missing = 0;
  PhaseCpu throughput_cpu;

  // many rooms: a steady rate, then as fast as each connection's window allows
  bool rooms = false;
  std::size_t room_count = 0;
  double interval_seconds = 0;
  std::size_t window = 0;
  RoomsPhase rooms_steady;
  RoomsPhase rooms_fast;

  // idle
  bool idle = false;
  std::uint64_t rss_before_kb = 0;
  std::uint64_t rss_idle_kb = 0;
  double idle_bytes_per_connection = 0;

  // server, whole run
  std::uint64_t peak_rss_kb = 0;
  std::uint64_t hwm_kb = 0;
  std::uint64_t closed_by_server = 0;
  double seconds = 0;
};

}  // namespace bench
