#include "app/bench_command.hpp"

#include <arpa/inet.h>
#include <sys/resource.h>

#include <iostream>
#include <sstream>

#include "app/options.hpp"
#include "bench/load_generator.hpp"
#include "bench/report.hpp"

namespace app {

namespace {

const char* const bench_usage = R"(Usage: parley bench [options]

Load generator for WebSocket chat servers (Parley, or a broadcast peer): opens N connections to
one room, then measures the connect rate, fan-out latency, throughput and the server's memory and
CPU. Prints a table (stdout), progress (stderr) and, last, one JSON line.

Options:
  --url URL                ws://HOST:PORT/PATH (default ws://127.0.0.1:8080/dev)
  --connections N          connections, all in one room (default 100)
  --mode LIST              connect, fanout, throughput, idle; comma-separated (default fanout)
  --messages M             fan-out: messages sent one at a time by one sender (default 100)
  --timeout S              fan-out: seconds to wait for all N deliveries of one message (default 5)
  --senders S              throughput: sending connections (default 4)
  --window W               throughput: messages in flight per sender (default 4)
  --duration S             throughput and idle: seconds (default 5)
  --payload BYTES          message text size, at least the 17-byte marker (default 64)
  --room NAME              room to join (default bench)
  --rooms K                spread the connections over K rooms NAME-0 .. NAME-(K-1) (default 1;
                           Parley announces each join to the room, which costs O(N^2) in one room)
  --hello                  send {"action":"hello"} after the upgrade and wait for the first answer
  --peer-protocol P        parley: JSON sendmessage with room and clientMsgId; raw: the text as is
  --server-pid LIST        server processes (comma-separated) to sample RSS and CPU from /proc
  --source-ips A-B         spread source addresses over a range such as 127.0.0.1-127.0.0.20
  --threads N              generator threads, one io_context each (default: one per core)
  --concurrency N          handshakes in flight while connecting (default 256)
  --connect-timeout S      bound of the connect phase (default 60)
  --settle-timeout S       bound of the wait for connect-time traffic to stop (default 30)
  --label NAME             names the server in the report
  --json                   print only the JSON line on stdout
)";

const std::map<std::string, bool> known = {
    {"url", true},          {"connections", true},     {"mode", true},
    {"messages", true},     {"timeout", true},         {"senders", true},
    {"window", true},       {"duration", true},        {"payload", true},
    {"room", true},         {"rooms", true},           {"hello", false},
    {"peer-protocol", true}, {"server-pid", true},     {"source-ips", true},
    {"threads", true},      {"concurrency", true},     {"connect-timeout", true},
    {"settle-timeout", true}, {"label", true},         {"json", false},
    {"help", false}};

std::chrono::milliseconds seconds_option(const Options& o, const std::string& name, double fallback) {
  const std::string s = o.get(name, "");
  double v = fallback;
  if (!s.empty()) {
    std::size_t used = 0;
    try {
      v = std::stod(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != s.size() || v <= 0 || v > 86400)
      throw std::invalid_argument("--" + name + " must be a number of seconds, not '" + s + "'");
  }
  return std::chrono::milliseconds(static_cast<long long>(v * 1000));
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string item; std::getline(in, item, sep);)
    if (!item.empty()) out.push_back(item);
  return out;
}

std::uint32_t ipv4(const std::string& s) {
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1)
    throw std::invalid_argument("not an IPv4 address: '" + s + "'");
  return ntohl(a.s_addr);
}

// "127.0.0.1-127.0.0.20" or "127.0.0.1,127.0.0.2".
std::vector<std::uint32_t> source_ips(const std::string& s) {
  std::vector<std::uint32_t> out;
  for (const auto& part : split(s, ',')) {
    const auto dash = part.find('-');
    if (dash == std::string::npos) {
      out.push_back(ipv4(part));
      continue;
    }
    const std::uint32_t a = ipv4(part.substr(0, dash)), b = ipv4(part.substr(dash + 1));
    if (b < a || b - a > 65535) throw std::invalid_argument("bad address range '" + part + "'");
    for (std::uint32_t ip = a; ip <= b; ++ip) out.push_back(ip);
  }
  return out;
}

void parse_url(const std::string& url, bench::Config& c) {
  const std::string scheme = "ws://";
  if (url.rfind(scheme, 0) != 0) throw std::invalid_argument("--url must start with ws://");
  const std::string rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  c.path = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  c.host = authority.substr(0, colon);
  if (c.host == "localhost") c.host = "127.0.0.1";
  if (colon != std::string::npos) {
    const std::string port = authority.substr(colon + 1);
    const long p = std::strtol(port.c_str(), nullptr, 10);
    if (p <= 0 || p > 65535) throw std::invalid_argument("bad port in --url");
    c.port = static_cast<std::uint16_t>(p);
  } else {
    c.port = 80;
  }
}

bench::Config config_from(const Options& o) {
  bench::Config c;
  parse_url(o.get("url", "ws://127.0.0.1:8080/dev"), c);
  c.connections = static_cast<std::size_t>(o.number("connections", 100, 1, 1'000'000));
  c.messages = static_cast<std::size_t>(o.number("messages", 100, 1, 10'000'000));
  c.senders = static_cast<std::size_t>(o.number("senders", 4, 1, 10'000));
  c.window = static_cast<std::size_t>(o.number("window", 4, 1, 10'000));
  c.payload = static_cast<std::size_t>(o.number("payload", 64, 0, 1 << 20));
  c.room = o.get("room", c.room);
  c.rooms = static_cast<std::size_t>(o.number("rooms", 1, 1, 1'000'000));
  c.hello = o.has("hello");
  c.threads = static_cast<unsigned>(o.number("threads", 0, 0, 256));
  c.connect_concurrency = static_cast<std::size_t>(o.number("concurrency", 256, 1, 100'000));
  c.duration = seconds_option(o, "duration", 5);
  c.message_timeout = seconds_option(o, "timeout", 5);
  c.connect_timeout = seconds_option(o, "connect-timeout", 60);
  c.settle_timeout = seconds_option(o, "settle-timeout", 30);
  c.label = o.get("label", "");
  c.json_only = o.has("json");
  const std::string protocol = o.get("peer-protocol", "parley");
  if (protocol != "parley" && protocol != "raw")
    throw std::invalid_argument("--peer-protocol must be parley or raw");
  c.protocol = protocol == "raw" ? bench::PeerProtocol::raw : bench::PeerProtocol::parley;
  c.mode_fanout = false;
  for (const auto& m : split(o.get("mode", "fanout"), ',')) {
    if (m == "connect") continue;  // always done
    else if (m == "fanout") c.mode_fanout = true;
    else if (m == "throughput") c.mode_throughput = true;
    else if (m == "idle") c.mode_idle = true;
    else throw std::invalid_argument("unknown mode '" + m + "'");
  }
  for (const auto& pid : split(o.get("server-pid", ""), ',')) {
    const long p = std::strtol(pid.c_str(), nullptr, 10);
    if (p <= 0) throw std::invalid_argument("bad --server-pid '" + pid + "'");
    c.server_pids.push_back(static_cast<int>(p));
  }
  c.source_ips = source_ips(o.get("source-ips", ""));
  return c;
}

// Each connection holds a descriptor: take the hard limit rather than the default 1024.
void raise_descriptor_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace

int bench_command(const std::vector<std::string>& args) {
  Options o(args, known);
  if (o.has("help")) {
    std::cout << bench_usage;
    return 0;
  }
  bench::Config config = config_from(o);
  raise_descriptor_limit();
  bench::LoadGenerator generator(config);
  const bench::Results results = generator.run();
  const bench::Report report(results);
  if (!config.json_only) report.table(std::cout);
  std::cout << report.json() << std::endl;
  return results.connected > 0 ? 0 : 1;
}

}  // namespace app
