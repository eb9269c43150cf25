#include "app/tables_command.hpp"

#include <cstdlib>
#include <iostream>
#include <optional>

#include "aws/dynamodb/sync_client.hpp"
#include "aws/sigv4/credentials.hpp"
#include "core/log.hpp"
#include "store/dynamodb/dynamo_create_tables.hpp"
#include "store/dynamodb/dynamo_store.hpp"

namespace app {

const char* const tables_usage = R"(Usage: parley tables create [options]

Creates the DynamoDB tables (connections, members with GSI connection-index, messages, rooms,
clientmsgs, nodes), waits until they are ACTIVE and enables TTL on `ttl` where the endpoint has it.
Tables already there are left as they are, so it is safe to run again.

Options:
  --dynamodb-endpoint URL  e.g. http://127.0.0.1:8000 for DynamoDB Local or dynalite
                           (default: AWS_ENDPOINT_URL_DYNAMODB, else AWS in --region)
  --region R               AWS region (default: AWS_REGION, else us-east-1)
  --table-prefix P         table names P + connections, members, ... (default parley-);
                           WEBSOCKET_TABLE, MEMBERS_TABLE, MESSAGES_TABLE, ROOMS_TABLE,
                           CLIENTMSGS_TABLE and NODES_TABLE override single names
  --log-level LEVEL        debug, info, warn or error (default info)

Credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; a local
endpoint needs none.
)";

DynamoSettings dynamo_settings(const Options& o) {
  std::optional<std::string> endpoint;
  if (o.has("dynamodb-endpoint")) endpoint = o.get("dynamodb-endpoint", "");
  auto config = aws::dynamodb::ClientConfig::from_env(endpoint);
  if (!config) {
    throw std::invalid_argument(
        endpoint ? "--dynamodb-endpoint '" + *endpoint + "' is not a usable http(s) URL"
                 : "no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); "
                   "for a local server give --dynamodb-endpoint URL");
  }
  if (o.has("region")) {
    config->region = o.get("region", config->region);
    // The default endpoint names the region: follow --region unless one was given.
    if (!endpoint && !std::getenv("AWS_ENDPOINT_URL_DYNAMODB") && !std::getenv("AWS_ENDPOINT_URL")) {
      auto ep = aws::http::parse_endpoint("https://dynamodb." + config->region + ".amazonaws.com");
      if (!ep) throw std::invalid_argument("--region '" + config->region + "' is not a region name");
      config->endpoint = *ep;
    }
  }
  return {std::move(*config), store::DynamoTables::from_env(o.get("table-prefix", "parley-"))};
}

int tables_command(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << tables_usage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] != "create") throw std::invalid_argument("unknown subcommand '" + args[0] + "' (try: create)");
  Options o({args.begin() + 1, args.end()}, {{"dynamodb-endpoint", true},
                                               {"region", true},
                                               {"table-prefix", true},
                                               {"log-level", true},
                                               {"help", false}});
  if (o.has("help")) {
    std::cout << tables_usage;
    return 0;
  }
  core::log::set_level(core::log::parse_level(o.get("log-level", "info")));
  auto settings = dynamo_settings(o);
  std::cout << "Creating Parley's tables at " << (settings.client.endpoint.tls ? "https://" : "http://") << settings.client.endpoint.host_header() << " (region "
            << settings.client.region << ")" << std::endl;
  auto client = store::make_dynamo_client(std::move(settings.client));
  if (auto r = store::create_tables(*client, settings.tables, std::cout); !r) {
    std::cerr << "parley tables create: failed (" << r.error().message() << "); see the log line above\n";
    return 1;
  }
  std::cout << "Tables ready." << std::endl;
  return 0;
}

}  // namespace app
