#include "app/serve_command.hpp"

#include <sys/resource.h>

#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <algorithm>
#include <thread>

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include "app/cluster_node.hpp"
#include "app/data_lock.hpp"
#include "app/fault_options.hpp"
#include "app/guest_key.hpp"
#include "app/inspect_rooms.hpp"
#include "app/lambda_process_setup.hpp"
#include "app/management_listener.hpp"
#include "app/security_options.hpp"
#include "app/serve_options.hpp"
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

namespace {

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
  c.port = static_cast<unsigned short>(o.number("port"));
  c.stage = o.get("stage");
  c.threads = static_cast<unsigned>(o.number("threads"));
  c.idle_timeout = std::chrono::seconds(o.number("idle-timeout"));
  c.max_duration = std::chrono::seconds(o.number("max-duration"));
  c.max_message_bytes = static_cast<std::size_t>(o.number("max-message"));
  c.max_frame_bytes = static_cast<std::size_t>(o.number("max-frame"));
  c.integration_timeout = std::chrono::milliseconds(o.number("integration-timeout"));
  c.rate_limit = static_cast<double>(o.number("rate-limit"));
  c.rate_burst = static_cast<double>(o.number("rate-burst"));
  c.ip_rate_limit = static_cast<double>(o.number("ip-rate-limit"));
  c.ip_rate_burst = static_cast<double>(o.number("ip-rate-burst"));
  c.max_connections_per_ip = static_cast<std::size_t>(o.number("max-connections-per-ip"));
  c.management_rate_limit = static_cast<double>(o.number("management-rate-limit"));
  c.management_rate_burst = static_cast<double>(o.number("management-rate-burst"));
  c.max_send_queue_bytes = static_cast<std::size_t>(o.number("max-send-queue"));
  c.send_queue_timeout = std::chrono::seconds(o.number("send-queue-timeout"));
  c.api_id = o.get("api-id");
  c.domain_name = o.get("domain-name");
  management_listener_from(o, c);
  c.web_dir = o.get("web");
  c.inspect_events = static_cast<std::size_t>(o.number("inspect-events"));
  c.inspect_buffer = static_cast<std::size_t>(o.number("inspect-buffer"));
  // Reachable from the network (--management-bind not loopback), the inspector hides payloads
  // unless told.
  c.inspect_payloads = o.has("inspect-payloads") ? o.get("inspect-payloads") == "on"
                                                 : is_loopback_address(c.management_bind);
  apply_security_options(o, c);
  // Safe by default: an anonymous chat listens on loopback unless --bind says otherwise.
  c.bind_address = o.has("bind") || c.authorizer ? o.get("bind") : "127.0.0.1";
  return c;
}

// The store the flags ask for; nullptr after printing why it cannot be used. `description`
// is for the banner.
// With create_parley_tables false (process mode) --create-tables is the template's to act on.
std::unique_ptr<store::Store> open_store(const Options& o, const std::filesystem::path& data,
                                         std::string& description, bool create_parley_tables,
                                         bool machine_restarted) {
  if (o.get("store") == "sqlite") {
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
    // After a crash of the machine, no room may hand out a seq again that clients were shown.
    // Only then: on the same boot nothing committed was lost, and seqs go on without a gap.
    auto moved = machine_restarted ? (*db)->recover_counters() : core::result<std::int64_t>(std::int64_t{0});
    if (!moved) {
      std::cerr << "parley: cannot recover the rooms' counters: " << moved.error().message() << "\n";
      return nullptr;
    }
    if (*moved > 0)
      core::log::warn("the machine restarted since the last run, which did not stop cleanly: room counters "
                      "moved past what it may have shown",
                      {{"rooms", *moved}, {"skippedAtMost", store::kSeqReserve}});
    description = "sqlite " + (data / "parley.db").string();
    return std::move(*db);
  }
  auto settings = dynamo_settings(o);
  const auto& ep = settings.client.endpoint;
  description = std::string("dynamodb ") + (ep.tls ? "https://" : "http://") + ep.host_header() + " (tables " +
                settings.tables.connections + ", ...)";
  auto client = store::make_dynamo_client(std::move(settings.client));
  if (o.has("create-tables") && create_parley_tables) {
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

// The listening socket, or nullptr after one plain sentence on why it cannot be had (a port in
// use is an operator's everyday mistake, not a crash to report with Boost's source location).
std::unique_ptr<gateway::Server> listen_on(const gateway::Config& config, gateway::Integration& integration) {
  try {
    return std::make_unique<gateway::Server>(config, integration);
  } catch (const gateway::ListenError& e) {
    // Which port failed, and the flags that choose it.
    const bool m = e.management;
    const std::string& address = m ? config.management_bind : config.bind_address;
    const unsigned short port = m ? config.management_port : config.port;
    const std::string what = m ? "the management listener's port " : "port ";
    const std::string port_flag = m ? "--management-port" : "--port";
    const std::string where = address + ":" + std::to_string(port);
    if (e.code() == boost::asio::error::address_in_use)
      std::cerr << "parley: " << what << port << " is already in use on " << address
                << " (another parley serve or another program listens there): stop it, or choose "
                   "another port with " << port_flag
                << (m ? " (its default is --port + 1; 0 picks a free one)" : "") << "\n";
    else if (e.code() == boost::asio::error::access_denied)
      std::cerr << "parley: not allowed to listen on " << where
                << " (ports below 1024 need privileges): choose another port with " << port_flag << "\n";
    else if (e.code() == boost::system::errc::address_not_available)
      std::cerr << "parley: cannot listen on " << where << ": " << address
                << " is not an address of this machine (" << (m ? "--management-bind" : "--bind") << ")\n";
    else
      std::cerr << "parley: cannot listen on " << where << ": " << e.code().message() << "\n";
    return nullptr;
  }
}

}  // namespace

int serve_command(const std::vector<std::string>& given) {
  const auto args = expand_parameter_overrides(given);
  Options o(serve_options(), args);
  if (o.help()) {
    std::cout << serve_options().help();
    return 0;
  }
  // A group's options that do not apply are refused before the data directory is touched.
  if (const auto given = first_given(o, serve_options(), dynamodb_group_title);
      !given.empty() && o.get("store") != "dynamodb")
    throw std::invalid_argument(given + " needs --store dynamodb");
  // Every option of the Lambda group but --lambda itself is process mode's.
  if (const auto given = first_given(o, serve_options(), lambda_group_title); !given.empty() && !o.has("lambda"))
    throw std::invalid_argument(given + " needs --lambda process");
  core::log::set_level(core::log::parse_level(o.get("log-level")));
  gateway::Config config = config_from(o);
  // SQLite answers in microseconds, so threads beyond the cores only add wake-ups and context
  // switches (2 cores: 4 threads cost 10% of the connect rate against 2); DynamoDB handlers wait
  // on the network, so more of them overlap.
  const bool sqlite = o.get("store") == "sqlite";
  const unsigned default_handler_threads =
      sqlite ? std::max(2u, std::thread::hardware_concurrency()) : 4u;
  const auto handler_threads =
      o.number("handler-threads") > 0 ? static_cast<unsigned>(o.number("handler-threads")) : default_handler_threads;
  const std::filesystem::path data = o.get("data");
  const bool anonymous = !config.authorizer;
  std::string guest_key_source = apply_guest_identity(o, data, config);
  raise_descriptor_limit();

  const std::string lambda = o.get("lambda");
  const auto fault_spec = store_fault_spec(o);  // the test hook, refused before the store opens
  // SQLite: this process alone may use the data directory, or the two would clear each other's
  // connection rows. Taken before anything in it is touched (app/data_lock.hpp).
  std::optional<DataLock> data_lock;
  if (sqlite) {
    try {
      data_lock.emplace(data);
    } catch (const std::runtime_error& e) {
      std::cerr << "parley: " << e.what() << "\n";
      return 1;
    }
  }
  std::string store_description;
  auto store = open_store(o, data, store_description, lambda.empty(),
                          !data_lock || data_lock->machine_restarted());
  if (!store) return 1;
  std::optional<store::Faulty> faulty_store;
  if (fault_spec) faulty_store.emplace(store->tables(), *fault_spec);
  std::unique_ptr<store::Timed> timed_store;
  std::optional<store::MemberCache> member_cache;
  std::unique_ptr<ClusterNode> cluster;  // DynamoDB: one node of possibly many (docs/scaling.md)
  std::unique_ptr<integration::InProcess> handlers;
  LambdaProcessSetup functions;
  if (lambda.empty()) {
    // Each decorator wraps the ports it changes (docs/design.md, "The store's ports"): Timed
    // (and Faulty) every port; NodeStore the rows that name a node; MemberCache memberships.
    timed_store = std::make_unique<store::Timed>(faulty_store ? faulty_store->tables() : store->tables());
    std::optional<store::Tables> handler_store;
    if (auto* dynamo = dynamic_cast<store::Dynamo*>(store.get())) {
      cluster = std::make_unique<ClusterNode>(*dynamo, timed_store->tables(), o);
      handler_store.emplace(cluster->store());
    } else {
      // This process alone writes a SQLite file, so its rooms can be read from memory.
      // DynamoDB is shared by every node: there the store is read each time.
      // open_store emptied the members table, so no room needs a first read from the file.
      auto& cache = member_cache.emplace(*timed_store, true);
      handler_store.emplace(store::with_members(timed_store->tables(), cache));
    }
    handlers::Limits limits;
    limits.max_rooms = static_cast<std::size_t>(o.number("max-rooms"));
    // SQLite's handlers take microseconds: a burst runs on one thread in a row, others join
    // when it falls behind. DynamoDB's wait on the network: every thread from the start.
    const auto join_after =
        sqlite ? integration::InProcess::sqlite_join_after : std::chrono::microseconds(0);
    handlers = std::make_unique<integration::InProcess>(handlers::chat_routes(limits), *handler_store,
                                                        handler_threads, join_after);
  } else {
    functions = make_lambda_process(o, lambda_store(o, data / "parley.db"), config, data);
    config.route_selection_expression = functions.route_selection_expression;
    config.two_way_routes = functions.two_way_routes;
    if (!o.has("stage") && !functions.stage_name.empty()) config.stage = functions.stage_name;
    if (functions.authorizer) {
      if (!anonymous)
        throw std::invalid_argument("the template's $connect authorizer and --jwt-*/--auth options "
                                    "cannot both be used");
      // The template's own authorizer decides who connects, as on AWS: no guest tokens then.
      config.authorizer = functions.authorizer;
      guest_key_source.clear();
    }
    if (o.has("create-tables") && !create_template_tables(o, functions.tables, std::cout)) return 1;
    if (o.get("store") == "dynamodb") {
      // The functions use the template's tables, not Parley's.
      std::string names;
      for (const auto& t : functions.tables) names += (names.empty() ? "" : ", ") + t.name;
      store_description = store_description.substr(0, store_description.find(" (tables")) +
                          " (the template's tables: " + (names.empty() ? "none" : names) + ")";
    }
    // The functions' processes hold the store now; this process only cleared stale rows.
    store.reset();
  }
  gateway::Integration& integration =
      handlers ? static_cast<gateway::Integration&>(*handlers) : *functions.integration;
  auto listening = listen_on(config, integration);
  if (!listening) return 1;
  gateway::Server& server = *listening;

  const std::string host =
      config.bind_address == "0.0.0.0" || config.bind_address == "::" ? "localhost"
                                                                     : config.bind_address;
  const std::string base = host + ":" + std::to_string(server.port());
  const auto& c = server.config();
  // tls_optional: plain for browsers, https for the functions' SDKs (on the same port).
  const bool tls = !c.tls_cert_file.empty() && !c.tls_optional;
  const std::string http_scheme = tls ? "https://" : "http://";
  if (handlers) {
    handlers->set_connections(server.context().connections);
    // The inspector's rooms column, from the SQLite file this process alone writes (not the
    // timed store: its reads would show in the store latency they chart).
    if (data_lock && store) server.context().describe_connection = describe_from_store(*store);
    if (cluster && !cluster->attach(server, *handlers)) return 1;
  } else {
    // Where the functions' connections::Http posts (Parley's own variable): the management
    // listener, over loopback, where an unsigned call is accepted unless --management-keys
    // (Parley's bootstrap signs with the per-run key, accepted there too).
    functions.integration->set_variable(
        "PARLEY_MANAGEMENT_ENDPOINT",
        local_base(tls ? "https" : "http", c.management_bind, server.management_port()) + "/" + c.stage);
    // For SDK code that builds its management client without an endpoint (current SDKs read
    // it): the public port over https, as on AWS (the port speaks it too, with a certificate
    // the functions trust); the SDKs sign with the per-run key (config.function_keys).
    functions.integration->set_variable(
        "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI",
        local_base("https", config.bind_address, server.port()) + "/" + c.stage);
  }
  std::ostringstream banner;
  banner << "Parley serving stage '" << c.stage << "' on " << c.threads << " socket threads, ";
  if (handlers)
    banner << handler_threads << " handler threads";
  else
    banner << functions.functions << " Lambda functions of " << functions.template_file.string()
           << " as processes of " << functions.bootstrap.string();
  banner << ", store " << store_description << "\n"
         << "  Web client:      " << http_scheme << base << "/\n"
         << "  WebSocket:       " << (tls ? "wss://" : "ws://") << base << "/" << c.stage << "\n"
         << management_banner(c, server.management_port(), http_scheme + base)
         << (cluster ? "  Node endpoint:   " + cluster->endpoint() + "\n" : "")
         << "  Auth:            " << auth_mode(c)
         << (c.allowed_origins.empty() ? "" : "; origins: " + std::to_string(c.allowed_origins.size()) + " allowed")
         << "\n"
         << (anonymous && !guest_key_source.empty()
                 ? guest_banner(guest_key_source, cluster && guest_key_source == (data / "guest.key").string())
                 : "")
         << "Press Ctrl+C to stop.\n";

  // Several nodes: the banner (which says "serving") once the node endpoint proved to reach
  // this process; or a refusal and exit 1 (app/cluster_node.hpp).
  if (cluster)
    cluster->verify_endpoint(server, [text = banner.str()] { std::cout << text << std::flush; });
  else
    std::cout << banner.str() << std::flush;
  server.run();
  // The $disconnects of the closed sessions finish before the store closes.
  if (handlers) handlers->drain();
  else functions.integration->drain(std::chrono::seconds(5));
  if (cluster) cluster->stop();  // after the $disconnects: nothing of this node is left to sweep
  if (data_lock) {
    // A clean stop: every counter is durable, so the next start need not skip any seq.
    std::unique_ptr<store::Store> reopened;
    if (!store) {
      if (auto db = store::Sqlite::open(data / "parley.db")) reopened = std::move(*db);
    }
    if (auto* db = dynamic_cast<store::Sqlite*>(store ? store.get() : reopened.get())) {
      if (auto r = db->release_reservations(); !r)
        core::log::warn("cannot release the rooms' seq reservations", {{"error", r.error().message()}});
    }
  }
  if (cluster && cluster->refused()) return 1;
  core::log::info("stopped");
  return 0;
}

}  // namespace app
