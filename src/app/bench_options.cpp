// `parley bench`'s options, declared once (app/options.hpp).
#include "app/bench_command.hpp"

namespace app {

namespace {

OptionTable make() {
  using K = OptionKind;
  OptionTable t;
  t.usage = R"(Usage: parley bench [options]

Load generator for WebSocket chat servers (Parley, or a broadcast peer): opens N connections to
one room (or spread over --rooms), then measures the connect rate, fan-out latency, throughput,
many rooms all sending (--mode rooms), and the server's memory and CPU. Prints a table
(stdout), progress (stderr) and, last, one JSON line.
)";
  t.groups.push_back({"Options", {
      {.name = "url", .value_name = "URL",
       .help = "ws://HOST:PORT/PATH (default {default}); repeated or comma-separated\n"
               "(the nodes of one cluster): connection i goes to the (i mod count)-th",
       .fallback = "ws://127.0.0.1:8080/dev", .repeatable = true,
       .check = [](const std::string& v) { return v.starts_with("ws://") ? "" : std::string("must start with ws://"); }},
      {.name = "connections", .kind = K::whole, .value_name = "N",
       .help = "connections, all in one room unless --rooms (default {default})", .fallback = "100", .min = 1, .max = 1'000'000},
      {.name = "mode", .value_name = "LIST",
       .help = "connect, fanout, throughput, rooms, idle; comma-separated (default {default});\n"
               "rooms: with --rooms K, every connection sends to its own room, one message\n"
               "per --interval for --duration, then --window in flight for --duration",
       .fallback = "fanout"},
      {.name = "messages", .kind = K::whole, .value_name = "M",
       .help = "fan-out: messages sent one at a time by one sender (default {default})", .fallback = "100",
       .min = 1, .max = 10'000'000},
      {.name = "timeout", .kind = K::seconds, .value_name = "S",
       .help = "fan-out: seconds to wait for all N deliveries of one message (default {default})",
       .fallback = "5", .min = 0, .max = 86400},
      {.name = "senders", .kind = K::whole, .value_name = "S",
       .help = "throughput: sending connections (default {default})", .fallback = "4", .min = 1, .max = 10'000},
      {.name = "window", .kind = K::whole, .value_name = "W",
       .help = "throughput, rooms' fast phase: messages in flight per sender (default {default})", .fallback = "4", .min = 1,
       .max = 10'000},
      {.name = "interval", .kind = K::seconds, .value_name = "S",
       .help = "rooms: each connection's send period in the steady phase (default {default})",
       .fallback = "2", .min = 0, .max = 3600},
      {.name = "duration", .kind = K::seconds, .value_name = "S",
       .help = "throughput, idle, each rooms phase: seconds (default {default})", .fallback = "5", .min = 0, .max = 86400},
      {.name = "payload", .kind = K::whole, .value_name = "BYTES",
       .help = "message text size, at least the 17-byte marker (default {default})", .fallback = "64", .min = 0,
       .max = 1 << 20},
      {.name = "room", .value_name = "NAME", .help = "room to join (default {default})", .fallback = "bench"},
      {.name = "rooms", .kind = K::whole, .value_name = "K",
       .help = "spread the connections over K rooms NAME-0 .. NAME-(K-1) (default {default};\n"
               "Parley announces each join to the room, which costs O(N^2) in one room)",
       .fallback = "1", .min = 1, .max = 1'000'000},
      {.name = "hello", .kind = K::flag,
       .help = "send {\"action\":\"hello\"} after the upgrade and wait for the first answer"},
      {.name = "peer-protocol", .value_name = "P",
       .help = "parley: JSON sendmessage with room and clientMsgId; raw: the text as is\n(default {default})",
       .fallback = "parley", .choices = {"parley", "raw"}},
      {.name = "server-pid", .value_name = "LIST",
       .help = "server processes (comma-separated) to sample RSS and CPU from /proc"},
      {.name = "source-ips", .value_name = "A-B",
       .help = "spread source addresses over a range such as 127.0.0.1-127.0.0.20"},
      {.name = "threads", .kind = K::whole, .value_name = "N",
       .help = "generator threads, one io_context each (default {default}: one per core)", .fallback = "0",
       .min = 0, .max = 256},
      {.name = "concurrency", .kind = K::whole, .value_name = "N",
       .help = "handshakes in flight while connecting (default {default})", .fallback = "256", .min = 1,
       .max = 100'000},
      {.name = "connect-timeout", .kind = K::seconds, .value_name = "S",
       .help = "bound of the connect phase (default {default})", .fallback = "60", .min = 0, .max = 86400},
      {.name = "settle-timeout", .kind = K::seconds, .value_name = "S",
       .help = "bound of the wait for connect-time traffic to stop (default {default})", .fallback = "30",
       .min = 0, .max = 86400},
      {.name = "label", .value_name = "NAME", .help = "names the server in the report"},
      {.name = "json", .kind = K::flag, .help = "print only the JSON line on stdout"},
  }});
  return t;
}

}  // namespace

const OptionTable& bench_options() {
  static const OptionTable table = make();
  return table;
}

}  // namespace app
