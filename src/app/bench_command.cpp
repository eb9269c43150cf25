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
  const std::string scheme = "ws://";  // checked by its declaration
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
  std::vector<std::string> urls;
  for (const auto& given : o.has("url") ? o.all("url") : std::vector<std::string>{o.get("url")})
    for (const auto& url : split(given, ',')) urls.push_back(url);
  if (urls.empty()) throw std::invalid_argument("--url: no URL given");
  for (const auto& url : urls) {
    if (!url.starts_with("ws://")) throw std::invalid_argument("--url must start with ws://: '" + url + "'");
    parse_url(url, c);
    if (urls.size() > 1) c.targets.push_back({c.host, c.port, c.path});
  }
  parse_url(urls.front(), c);
  c.connections = static_cast<std::size_t>(o.number("connections"));
  c.messages = static_cast<std::size_t>(o.number("messages"));
  c.senders = static_cast<std::size_t>(o.number("senders"));
  c.window = static_cast<std::size_t>(o.number("window"));
  c.payload = static_cast<std::size_t>(o.number("payload"));
  c.room = o.get("room");
  c.rooms = static_cast<std::size_t>(o.number("rooms"));
  c.hello = o.has("hello");
  c.threads = static_cast<unsigned>(o.number("threads"));
  c.connect_concurrency = static_cast<std::size_t>(o.number("concurrency"));
  c.duration = std::chrono::milliseconds(o.milliseconds("duration"));
  c.interval = std::chrono::milliseconds(o.milliseconds("interval"));
  c.message_timeout = std::chrono::milliseconds(o.milliseconds("timeout"));
  c.connect_timeout = std::chrono::milliseconds(o.milliseconds("connect-timeout"));
  c.settle_timeout = std::chrono::milliseconds(o.milliseconds("settle-timeout"));
  c.label = o.get("label");
  c.json_only = o.has("json");
  c.protocol = o.get("peer-protocol") == "raw" ? bench::PeerProtocol::raw : bench::PeerProtocol::parley;
  c.mode_fanout = false;
  for (const auto& m : split(o.get("mode"), ',')) {
    if (m == "connect") continue;  // always done
    else if (m == "fanout") c.mode_fanout = true;
    else if (m == "throughput") c.mode_throughput = true;
    else if (m == "idle") c.mode_idle = true;
    else if (m == "rooms") c.mode_rooms = true;
    else throw std::invalid_argument("unknown mode '" + m + "'");
  }
  for (const auto& pid : split(o.get("server-pid"), ',')) {
    const long p = std::strtol(pid.c_str(), nullptr, 10);
    if (p <= 0) throw std::invalid_argument("bad --server-pid '" + pid + "'");
    c.server_pids.push_back(static_cast<int>(p));
  }
  c.source_ips = source_ips(o.get("source-ips"));
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
  Options o(bench_options(), args);
  if (o.help()) {
    std::cout << bench_options().help();
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
