#pragma once
// Everything `parley bench` can be told; every phase has a time bound so a run always ends.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace bench {

enum class PeerProtocol { parley, raw };

// One server to connect to (--url).
struct Target {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string path = "/dev";  // stage path; the query is added per connection
};

struct Config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string path = "/dev";           // stage path; the query is added per connection
  // Several --url (nodes of one cluster): connection i goes to targets[i % size], round-robin;
  // empty: host/port/path above.
  std::vector<Target> targets;
  Target target(std::size_t index) const {
    return targets.empty() ? Target{host, port, path} : targets[index % targets.size()];
  }
  std::string room = "bench";
  std::size_t rooms = 1;               // > 1: connection i joins room "<room>-<i % rooms>"
  std::size_t connections = 100;
  std::size_t senders = 4;             // throughput mode
  std::size_t window = 4;              // messages in flight per sender (throughput, rooms' fast phase)
  std::chrono::milliseconds interval{2000};          // rooms' steady phase: each connection's send period
  std::size_t messages = 100;          // fan-out mode
  std::size_t payload = 64;            // bytes of message text
  std::chrono::milliseconds duration{5000};          // throughput and idle modes
  std::chrono::milliseconds message_timeout{5000};   // fan-out: wait for all N at most this
  std::chrono::milliseconds connect_timeout{60000};  // whole connect phase
  std::chrono::milliseconds settle_timeout{30000};   // wait for the connect-time traffic to stop
  std::size_t connect_concurrency = 256;             // handshakes in flight
  unsigned threads = 0;                              // 0: one per core
  bool mode_connect = true;
  bool mode_fanout = false;
  bool mode_throughput = false;
  bool mode_idle = false;
  bool mode_rooms = false;  // every connection sends to its own room: steady, then fast
  bool hello = false;
  PeerProtocol protocol = PeerProtocol::parley;
  std::vector<int> server_pids;
  std::vector<std::uint32_t> source_ips;  // host byte order; empty: let the kernel pick
  std::string label;                      // names the target in the report
  bool json_only = false;
};

}  // namespace bench
