#include "app/serve_options.hpp"

namespace app {

const char* const dynamodb_group_title = "DynamoDB store (--store dynamodb; docs/scaling.md)";
const char* const lambda_group_title = "Lambda process mode (docs/lambda-local.md)";

namespace {

using K = OptionKind;

// A stage is the first segment of every URL: nothing that would end or escape it.
std::string plain_segment(const std::string& v) {
  return v.empty() || v.find_first_of("/?#@% ") != std::string::npos ? "must be a plain path segment" : "";
}

OptionTable make() {
  OptionTable t;
  t.usage = R"(Usage: parley serve [options]

Runs the chat: the WebSocket gateway (API Gateway contract), the handlers in-process and the
store (SQLite, or DynamoDB shared by several nodes), and serves the browser client.
)";
  t.groups.push_back({"Network", {
      {.name = "port", .kind = K::whole, .value_name = "N",
       .help = "listening port (default {default}; 0 picks a free one)", .fallback = "8080", .min = 0, .max = 65535},
      {.name = "bind", .value_name = "ADDR",
       .help = "listening address (default 127.0.0.1 when anonymous, {default} with\n"
               "--auth jwt); --bind 0.0.0.0 opens an anonymous chat to the network",
       .fallback = "0.0.0.0"},
      {.name = "stage", .value_name = "NAME", .help = "API stage, the WebSocket path (default {default})",
       .fallback = "dev", .check = plain_segment},
      {.name = "threads", .kind = K::whole, .value_name = "N",
       .help = "socket threads (default {default}: one per core)", .fallback = "0", .min = 0, .max = 256},
      {.name = "api-id", .value_name = "ID", .help = "requestContext.apiId (default: random per start)"},
      {.name = "domain-name", .value_name = "NAME",
       .help = "requestContext.domainName (default: the client's Host header)"},
      // No fallback: --port + 1 (management_listener_from), a free one with --port 0.
      {.name = "management-port", .kind = K::whole, .value_name = "N",
       .help = "the management listener: @connections unsigned from loopback (SigV4\n"
               "with --management-keys), /metrics, /inspect, /healthz (default --port + 1;\n"
               "0 picks a free one, the default with --port 0). The public port\n"
               "answers @connections only SigV4-signed (docs/security.md)",
       .min = 0, .max = 65535},
      {.name = "management-bind", .value_name = "ADDR",
       .help = "the management listener's address (default {default}; any other\n"
               "needs --management-keys)",
       .fallback = "127.0.0.1"},
      {.name = "management-public", .kind = K::flag, .help = "old name of --management-bind 0.0.0.0"},
      {.name = "web", .value_name = "DIR", .help = "serve the browser client from DIR instead of the embedded copy"},
  }});
  t.groups.push_back({"Inspector (/inspect)", {
      {.name = "inspect-events", .kind = K::whole, .value_name = "N",
       .help = "invocations the inspector keeps for a page opened later\n"
               "(default {default}; recorded only while a page is open)",
       .fallback = "500", .min = 0, .max = 100000},
      // No fallback: off with --management-public unless given (config_from).
      {.name = "inspect-payloads", .value_name = "on|off",
       .help = "show bodies, handshake headers and queries in /inspect\n"
               "(default on; off with --management-public unless given)",
       .choices = {"on", "off"}},
      {.name = "inspect-buffer", .kind = K::whole, .value_name = "BYTES",
       .help = "what one /inspect page may have waiting before messages to it are\n"
               "dropped and counted (default {default})",
       .fallback = "1048576", .min = 65536, .max = 1LL << 30},
  }});
  t.groups.push_back({"Store", {
      {.name = "store", .value_name = "KIND", .help = "{choices} (default {default})", .fallback = "sqlite",
       .choices = {"sqlite", "dynamodb"}},
      {.name = "data", .value_name = "DIR",
       .help = "state directory; the database is DIR/parley.db (default {default});\n"
               "one serve per directory (DIR/parley.lock)",
       .fallback = "./data"},
      {.name = "region", .value_name = "R", .help = "AWS region (default: {env},\nelse {default})",
       .fallback = "us-east-1", .env = {"AWS_REGION", "AWS_DEFAULT_REGION"}},
      {.name = "handler-threads", .kind = K::whole, .value_name = "N",
       .help = "handler threads, like Lambda environments (default {default}: one per\n"
               "core, at least 2, with SQLite; 4 with DynamoDB)",
       .fallback = "0", .min = 0, .max = 256},
  }});
  t.groups.push_back({dynamodb_group_title, {
      {.name = "dynamodb-endpoint", .value_name = "URL",
       .help = "DynamoDB endpoint, e.g. http://127.0.0.1:8000 (DynamoDB Local,\n"
               "dynalite); default {env},\nelse AWS in the region",
       .env = {"AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL"}},
      {.name = "table-prefix", .value_name = "P",
       .help = "table names P + connections, members, ... (default {default});\n"
               "WEBSOCKET_TABLE, MEMBERS_TABLE, MESSAGES_TABLE, ROOMS_TABLE,\n"
               "CLIENTMSGS_TABLE and NODES_TABLE override single names",
       .fallback = "parley-"},
      {.name = "create-tables", .kind = K::flag,
       .help = "create missing DynamoDB tables first (as `parley tables create`)"},
      {.name = "node-endpoint", .value_name = "URL",
       .help = "this node's management API as the other nodes reach it\n"
               "(default http://<bind, or 127.0.0.1>:<port>/<stage>); checked at\n"
               "start: it must reach this very node"},
      {.name = "node-ttl", .kind = K::whole, .value_name = "S",
       .help = "a node silent for S seconds is dead; its connections are\n"
               "swept (default {default}; heartbeat every S/3)",
       .fallback = "30", .min = 1, .max = 3600},
  }});
  t.groups.push_back({"Limits (defaults as API Gateway's)", {
      {.name = "idle-timeout", .kind = K::whole, .value_name = "S",
       .help = "close a connection silent for S seconds (default {default})", .fallback = "600", .min = 1,
       .max = 86400},
      {.name = "max-duration", .kind = K::whole, .value_name = "S",
       .help = "close any connection after S seconds (default {default})", .fallback = "7200", .min = 1,
       .max = 7 * 86400},
      {.name = "max-message", .kind = K::whole, .value_name = "BYTES",
       .help = "largest client message; larger closes with 1009 (default {default})", .fallback = "131072",
       .min = 1, .max = 16 << 20},
      {.name = "max-frame", .kind = K::whole, .value_name = "BYTES",
       .help = "largest client frame; larger closes with 1009 (default {default})", .fallback = "32768",
       .min = 1, .max = 16 << 20},
      {.name = "integration-timeout", .kind = K::whole, .value_name = "MS",
       .help = "handler time limit (default {default})", .fallback = "29000", .min = 50, .max = 900000},
      {.name = "rate-limit", .kind = K::whole, .value_name = "N",
       .help = "client frames a second per connection, token bucket; over it the\n"
               "frame is answered {\"message\":\"Too Many Requests\",...} (default {default};\n"
               "0 turns it off)",
       .fallback = "1000", .min = 0, .max = 1000000},
      {.name = "rate-burst", .kind = K::whole, .value_name = "N", .help = "that bucket's size (default {default})",
       .fallback = "2000", .min = 1, .max = 1000000},
      {.name = "ip-rate-limit", .kind = K::whole, .value_name = "N",
       .help = "client frames a second per source IP, all its connections\n"
               "together (default {default}: off, clients behind one NAT share an IP)",
       .fallback = "0", .min = 0, .max = 1000000},
      {.name = "ip-rate-burst", .kind = K::whole, .value_name = "N",
       .help = "that bucket's size (default {default}: twice the rate)", .fallback = "0", .min = 0,
       .max = 1000000},
      {.name = "max-connections-per-ip", .kind = K::whole, .value_name = "N",
       .help = "open WebSockets per source IP; more are refused with 429\n(default {default}: no cap)",
       .fallback = "0", .min = 0, .max = 10000000},
      {.name = "management-rate-limit", .kind = K::whole, .value_name = "N",
       .help = "@connections calls a second per caller; over it 429\n"
               "LimitExceededException (default {default}, as AWS)",
       .fallback = "10000", .min = 0, .max = 10000000},
      {.name = "management-rate-burst", .kind = K::whole, .value_name = "N",
       .help = "that bucket's size (default {default}, as AWS)", .fallback = "5000", .min = 1, .max = 10000000},
      {.name = "max-send-queue", .kind = K::whole, .value_name = "BYTES",
       .help = "bytes queued for one client before posts to it answer 429\n(default {default})",
       .fallback = "8388608", .min = 65536, .max = 1LL << 32},
      {.name = "send-queue-timeout", .kind = K::whole, .value_name = "S",
       .help = "close a client (1008) whose send queue stays full S seconds: it\n"
               "stopped reading (default {default}; 0: never)",
       .fallback = "10", .min = 0, .max = 86400},
      {.name = "max-rooms", .kind = K::whole, .value_name = "N",
       .help = "rooms one connection may be in at once; a join past it answers\n"
               "error too_many_rooms (default {default}; 0: no cap)",
       .fallback = "100", .min = 0, .max = 1000000},
  }});
  t.groups.push_back(security_option_group());
  t.groups.push_back(lambda_option_group());
  t.groups.push_back({"Operation", {
      {.name = "log-level", .value_name = "LEVEL", .help = "{choices} (default: {env}, else {default})",
       .fallback = "info", .choices = {"debug", "info", "warn", "error"}, .env = {"PARLEY_LOG_LEVEL"}},
      {.name = "store-faults", .value_name = "SPEC",
       .help = "test hook: fail or stall a seeded fraction of store calls, e.g.\n"
               "'seed=7;append_message:error:0.05;*:delay:0.02:300' (loopback\n"
               "--bind only; docs/testing.md)"},
  }});
  return t;
}

}  // namespace

const OptionTable& serve_options() {
  static const OptionTable table = make();
  return table;
}

std::string first_given(const Options& o, const OptionTable& table, const std::string& group) {
  for (const auto& g : table.groups)
    if (g.title == group)
      for (const auto& spec : g.options)
        if (o.has(spec.name)) return "--" + spec.name;
  return "";
}

}  // namespace app
