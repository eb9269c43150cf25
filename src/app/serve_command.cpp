#include "app/serve_command.hpp"

#include <sys/resource.h>

#include <filesystem>
#include <iostream>
#include <optional>
#include <algorithm>
#include <thread>

#include "app/cluster_node.hpp"
#include "app/fault_options.hpp"
#include "app/lambda_process_setup.hpp"
#include "app/options.hpp"
#include "app/security_options.hpp"
#include "app/tables_command.hpp"
#include "core/log.hpp"
#include "gateway/context.hpp"
#include "gateway/server.hpp"
#include "handlers/router.hpp"
#include "integration/in_process.hpp"
#include "store/dynamodb/dynamo_create_tables.hpp"
#include "store/dynamodb/dynamo_store.hpp"
#include "store/member_cache.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/timed_store.hpp"

namespace app {

const char* const serve_usage = R"(Usage: parley serve [options]

Runs the chat: the WebSocket gateway (API Gateway contract), the handlers in-process and the
store (SQLite, or DynamoDB shared by several nodes), and serves the browser client.

Options:
  --port N                 listening port (default 8080; 0 picks a free one)
  --bind ADDR              listening address (default 0.0.0.0)
  --stage NAME             API stage, the WebSocket path (default dev)
  --data DIR               state directory; the database is DIR/parley.db (default ./data)
  --store KIND             sqlite (default) or dynamodb
  --dynamodb-endpoint URL  DynamoDB endpoint, e.g. http://127.0.0.1:8000 (DynamoDB Local,
                           dynalite); default AWS_ENDPOINT_URL_DYNAMODB, else AWS in the region
  --region R               AWS region (default: AWS_REGION, else us-east-1)
  --table-prefix P         DynamoDB table names P + connections, ... (default parley-)
  --create-tables          create missing DynamoDB tables first (as `parley tables create`)
  --node-endpoint URL      DynamoDB: this node's management API as the other nodes reach it
                           (default http://<bind, or 127.0.0.1>:<port>/<stage>)
  --node-ttl S             DynamoDB: a node silent for S seconds is dead; its connections are
                           swept (default 30; heartbeat every S/3)
  --management-keys FILE   ACCESS_KEY_ID:SECRET lines; the first signs node-to-node posts
                           (default: PARLEY_MANAGEMENT_ACCESS_KEY_ID/_SECRET_ACCESS_KEY)
  --threads N              socket threads (default: one per core)
  --handler-threads N      handler threads, like Lambda environments (default: one per core,
                           at least 2, with SQLite; 4 with DynamoDB)
  --idle-timeout S         close a connection silent for S seconds (default 600)
  --max-duration S         close any connection after S seconds (default 7200)
  --max-message BYTES      largest client message; larger closes with 1009 (default 131072)
  --max-frame BYTES        largest client frame; larger closes with 1009 (default 32768)
  --integration-timeout MS handler time limit (default 29000)
  --rate-limit N           client frames a second per connection, token bucket; over it the
                           frame is answered {"message":"Too Many Requests",...} (default 1000;
                           0 turns it off)
  --rate-burst N           that bucket's size (default 2000)
  --ip-rate-limit N        client frames a second per source IP, all its connections
                           together (default 0: off, clients behind one NAT share an IP)
  --ip-rate-burst N        that bucket's size (default twice the rate)
  --max-connections-per-ip N  open WebSockets per source IP; more are refused with 429
                           (default 0: no cap)
  --management-rate-limit N  @connections calls a second per caller; over it 429
                           LimitExceededException (default 10000, burst 5000 as AWS)
  --management-rate-burst N  (default 5000)
  --max-send-queue BYTES   bytes queued for one client before posts to it answer 429
                           (default 8388608)
  --send-queue-timeout S   close a client (1008) whose send queue stays full S seconds: it
                           stopped reading (default 10; 0: never)
  --api-id ID              requestContext.apiId (default: random per start)
  --domain-name NAME       requestContext.domainName (default: the client's Host header)
  --management-public      let non-loopback clients call @connections (default: loopback only)
  --web DIR                serve the browser client from DIR instead of the embedded copy
  --log-level LEVEL        debug, info, warn or error (default info)
  --store-faults SPEC      test hook: fail or stall a seeded fraction of store calls, e.g.
                           'seed=7;append_message:error:0.05;*:delay:0.02:300' (loopback
                           --bind only; docs/testing.md)

Lambda process mode (docs/lambda-local.md):
  --lambda process         run each route's function as Lambda does: `bootstrap` processes
                           (execution environments) served the Runtime API by this gateway,
                           cold-started on demand and reused warm; the template's Timeout,
                           ReservedConcurrentExecutions, MemorySize and Environment apply. The
                           store and the routes (route selection expression, route keys,
                           functions) come from the template
  --template FILE          SAM template (default deploy/template.yaml, in the working directory
                           or beside the executable's directory)
  --bootstrap PATH         the executable every function runs (default: `bootstrap` beside
                           parley), e.g. the one unzipped from the Lambda package
  --lambda-concurrency N   account concurrency shared by functions without reserved
                           concurrency (default 1000, as Lambda's); beyond it: throttled
  --lambda-idle S          stop a warm environment unused for S seconds (default 300)
)";

namespace {

const std::map<std::string, bool> serve_known = {
    {"port", true},          {"bind", true},           {"stage", true},
    {"data", true},          {"threads", true},        {"handler-threads", true},
    {"idle-timeout", true},  {"max-duration", true},   {"max-message", true},
    {"max-frame", true},
    {"integration-timeout", true}, {"api-id", true},   {"domain-name", true},
    {"management-public", false},  {"web", true},      {"log-level", true},
    {"store", true},         {"dynamodb-endpoint", true}, {"region", true},
    {"table-prefix", true},  {"create-tables", false},
    {"lambda", true},        {"template", true},       {"bootstrap", true},
    {"lambda-concurrency", true}, {"lambda-idle", true},
    {"node-endpoint", true}, {"node-ttl", true},
    {"rate-limit", true},    {"rate-burst", true},     {"ip-rate-limit", true},
    {"ip-rate-burst", true}, {"max-connections-per-ip", true},
    {"management-rate-limit", true}, {"management-rate-burst", true},
    {"max-send-queue", true}, {"send-queue-timeout", true},
    {"store-faults", true},
    {"help", false}};

std::map<std::string, bool> known_options() {
  auto all = serve_known;
  all.insert(security_known.begin(), security_known.end());
  return all;
}

// Each WebSocket holds a descriptor: take the hard limit rather than the default 1024.
void raise_descriptor_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

gateway::Config config_from(const Options& o) {
  gateway::Config c;
  c.port = static_cast<unsigned short>(o.number("port", 8080, 0, 65535));
  c.bind_address = o.get("bind", c.bind_address);
  c.stage = o.get("stage", c.stage);
  if (c.stage.empty() || c.stage.find_first_of("/?#@% ") != std::string::npos)
    throw std::invalid_argument("--stage must be a plain path segment");
  c.threads = static_cast<unsigned>(o.number("threads", 0, 0, 256));
  c.idle_timeout = std::chrono::seconds(o.number("idle-timeout", 600, 1, 86400));
  c.max_duration = std::chrono::seconds(o.number("max-duration", 7200, 1, 7 * 86400));
  c.max_message_bytes = static_cast<std::size_t>(o.number("max-message", 131072, 1, 16 << 20));
  c.max_frame_bytes = static_cast<std::size_t>(o.number("max-frame", 32768, 1, 16 << 20));
  c.integration_timeout =
      std::chrono::milliseconds(o.number("integration-timeout", 29000, 50, 900000));
  c.rate_limit = static_cast<double>(o.number("rate-limit", 1000, 0, 1000000));
  c.rate_burst = static_cast<double>(o.number("rate-burst", 2000, 1, 1000000));
  c.ip_rate_limit = static_cast<double>(o.number("ip-rate-limit", 0, 0, 1000000));
  c.ip_rate_burst = static_cast<double>(o.number("ip-rate-burst", 0, 0, 1000000));
  c.max_connections_per_ip =
      static_cast<std::size_t>(o.number("max-connections-per-ip", 0, 0, 10000000));
  c.management_rate_limit =
      static_cast<double>(o.number("management-rate-limit", 10000, 0, 10000000));
  c.management_rate_burst =
      static_cast<double>(o.number("management-rate-burst", 5000, 1, 10000000));
  c.max_send_queue_bytes =
      static_cast<std::size_t>(o.number("max-send-queue", 8 << 20, 65536, 1LL << 32));
  c.send_queue_timeout = std::chrono::seconds(o.number("send-queue-timeout", 10, 0, 86400));
  c.api_id = o.get("api-id", "");
  c.domain_name = o.get("domain-name", "");
  c.management_public = o.has("management-public");
  c.web_dir = o.get("web", "");
  apply_security_options(o, c);
  return c;
}

// The store the flags ask for; nullptr after printing why it cannot be used. `description`
// is for the banner.
std::unique_ptr<store::Store> open_store(const Options& o, const std::filesystem::path& data,
                                         std::string& description) {
  const std::string kind = o.get("store", "sqlite");
  if (kind == "sqlite") {
    if (o.has("dynamodb-endpoint") || o.has("create-tables") || o.has("table-prefix") || o.has("node-endpoint") ||
        o.has("node-ttl"))
      throw std::invalid_argument(
          "--dynamodb-endpoint, --table-prefix, --create-tables, --node-endpoint and --node-ttl need --store dynamodb");
    auto db = store::Sqlite::open(data / "parley.db");
    if (!db) {
      std::cerr << "parley: cannot open the database in " << data << ": " << db.error().message() << "\n";
      return nullptr;
    }
    // One serve holds every connection of its file: rows left by a crash would be ghosts.
    if (auto r = (*db)->clear_connections(); !r) {
      std::cerr << "parley: cannot clear the connections of the previous run: " << r.error().message() << "\n";
      return nullptr;
    }
    description = "sqlite " + (data / "parley.db").string();
    return std::move(*db);
  }
  if (kind != "dynamodb") throw std::invalid_argument("--store must be sqlite or dynamodb, not '" + kind + "'");
  auto settings = dynamo_settings(o);
  const auto& ep = settings.client.endpoint;
  description = std::string("dynamodb ") + (ep.tls ? "https://" : "http://") + ep.host_header() + " (tables " +
                settings.tables.connections + ", ...)";
  auto client = store::make_dynamo_client(std::move(settings.client));
  if (o.has("create-tables")) {
    std::cout << "Creating missing DynamoDB tables" << std::endl;
    if (auto r = store::create_tables(*client, settings.tables, std::cout); !r) {
      std::cerr << "parley: cannot create the DynamoDB tables: " << r.error().message() << "\n";
      return nullptr;
    }
  }
  // No clear_connections here: the tables are shared by every node, so one node's start must
  // not drop the others' rows. A crashed node's rows are swept by the live nodes once its
  // heartbeat expires, and a restarted node sweeps its previous run's (app/cluster_node.hpp).
  return std::make_unique<store::Dynamo>(std::move(client), std::move(settings.tables));
}

}  // namespace

int serve_command(const std::vector<std::string>& args) {
  Options o(args, known_options());
  if (o.has("help")) {
    std::cout << serve_usage << security_usage;
    return 0;
  }
  core::log::set_level(core::log::parse_level(o.get("log-level", "info")));
  gateway::Config config = config_from(o);
  // SQLite answers in microseconds, so threads beyond the cores only add wake-ups and context
  // switches (2 cores: 4 threads cost 10% of the connect rate against 2); DynamoDB handlers wait
  // on the network, so more of them overlap.
  const unsigned default_handler_threads =
      o.get("store", "sqlite") == "sqlite" ? std::max(2u, std::thread::hardware_concurrency()) : 4u;
  const auto handler_threads = static_cast<unsigned>(
      o.number("handler-threads", default_handler_threads, 1, 256));
  const std::filesystem::path data = o.get("data", "./data");
  raise_descriptor_limit();

  const std::string lambda = o.get("lambda", "");
  if (!lambda.empty() && lambda != "process")
    throw std::invalid_argument("--lambda must be process, not '" + lambda + "'");
  if (lambda.empty() && (o.has("template") || o.has("bootstrap") || o.has("lambda-concurrency") ||
                         o.has("lambda-idle")))
    throw std::invalid_argument("--template, --bootstrap and --lambda-* need --lambda process");

  const auto fault_spec = store_fault_spec(o);  // the test hook, refused before the store opens
  std::string store_description;
  auto store = open_store(o, data, store_description);
  if (!store) return 1;
  std::optional<store::Faulty> faulty_store;
  if (fault_spec) faulty_store.emplace(*store, *fault_spec);
  std::unique_ptr<store::Timed> timed_store;
  std::optional<store::MemberCache> member_cache;
  std::unique_ptr<ClusterNode> cluster;  // DynamoDB: one node of possibly many (docs/scaling.md)
  std::unique_ptr<integration::InProcess> handlers;
  LambdaProcessSetup functions;
  if (lambda.empty()) {
    timed_store = std::make_unique<store::Timed>(faulty_store ? *faulty_store : *store);
    store::Store* handler_store = timed_store.get();
    if (auto* dynamo = dynamic_cast<store::Dynamo*>(store.get())) {
      cluster = std::make_unique<ClusterNode>(*dynamo, *timed_store, o);
      handler_store = &cluster->store();
    } else {
      // This process alone writes a SQLite file, so its rooms can be read from memory.
      // DynamoDB is shared by every node: there the store is read each time.
      // open_store emptied the members table, so no room needs a first read from the file.
      handler_store = &member_cache.emplace(*timed_store, true);
    }
    handlers = std::make_unique<integration::InProcess>(handlers::chat_routes(), *handler_store,
                                                        handler_threads);
  } else {
    functions = make_lambda_process(o, lambda_store(o, data / "parley.db"));
    config.route_selection_expression = functions.route_selection_expression;
    // The functions' processes hold the store now; this process only cleared stale rows.
    store.reset();
  }
  gateway::Integration& integration =
      handlers ? static_cast<gateway::Integration&>(*handlers) : *functions.integration;
  gateway::Server server(config, integration);

  const std::string host =
      config.bind_address == "0.0.0.0" || config.bind_address == "::" ? "localhost"
                                                                     : config.bind_address;
  const std::string base = host + ":" + std::to_string(server.port());
  const auto& c = server.config();
  const bool tls = !c.tls_cert_file.empty();
  const std::string http_scheme = tls ? "https://" : "http://";
  if (handlers) {
    handlers->set_connections(server.context().connections);
    if (cluster && !cluster->attach(server, *handlers)) return 1;
  } else {
    // Where the functions' connections::Http posts: this gateway, over loopback.
    const std::string mgmt_host =
        config.bind_address == "0.0.0.0" || config.bind_address == "::" ? "127.0.0.1"
                                                                         : config.bind_address;
    functions.integration->set_variable(
        "PARLEY_MANAGEMENT_ENDPOINT",
        http_scheme + mgmt_host + ":" + std::to_string(server.port()) + "/" + c.stage);
  }
  std::cout << "Parley serving stage '" << c.stage << "' on " << c.threads << " socket threads, ";
  if (handlers)
    std::cout << handler_threads << " handler threads";
  else
    std::cout << functions.functions << " Lambda functions of " << functions.template_file.string()
              << " as processes of " << functions.bootstrap.string();
  std::cout << ", store " << store_description << "\n"
            << "  Web client:      " << http_scheme << base << "/\n"
            << "  WebSocket:       " << (tls ? "wss://" : "ws://") << base << "/" << c.stage << "\n"
            << "  Management API:  " << http_scheme << base << "/" << c.stage
            << "/@connections/{connectionId}"
            << (c.management_public ? "" : " (loopback only)")
            << (c.management_keys.empty() ? "" : " (SigV4, region " + c.region + ")") << "\n"
            << (cluster ? "  Node endpoint:   " + cluster->endpoint() + "\n" : "")
            << "  Auth:            " << auth_mode(c)
            << (c.allowed_origins.empty() ? "" : "; origins: " + std::to_string(c.allowed_origins.size()) + " allowed")
            << "\n"
            << "Press Ctrl+C to stop." << std::endl;

  server.run();
  // The $disconnects of the closed sessions finish before the store closes.
  if (handlers) handlers->drain();
  else functions.integration->drain(std::chrono::seconds(5));
  if (cluster) cluster->stop();  // after the $disconnects: nothing of this node is left to sweep
  core::log::info("stopped");
  return 0;
}

}  // namespace app
