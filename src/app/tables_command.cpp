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

DynamoSettings dynamo_settings(const Options& o) {
  // Given, else AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL (its declaration).
  const std::optional<std::string> endpoint = o.value("dynamodb-endpoint");
  auto config = aws::dynamodb::ClientConfig::from_env(endpoint);
  if (!config) {
    throw std::invalid_argument(
        endpoint ? "--dynamodb-endpoint '" + *endpoint + "' is not a usable http(s) URL"
                 : "no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); "
                   "for a local server give --dynamodb-endpoint URL");
  }
  if (o.has("region")) {
    config->region = o.get("region");
    // The default endpoint names the region: follow --region unless one was given.
    if (!endpoint) {
      auto ep = aws::http::parse_endpoint("https://dynamodb." + config->region + ".amazonaws.com");
      if (!ep) throw std::invalid_argument("--region '" + config->region + "' is not a region name");
      config->endpoint = *ep;
    }
  }
  return {std::move(*config), store::DynamoTables::from_env(o.get("table-prefix"))};
}

int tables_command(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << tables_options().help();
    return args.empty() ? 2 : 0;
  }
  if (args[0] != "create") throw std::invalid_argument("unknown subcommand '" + args[0] + "' (try: create)");
  Options o(tables_options(), {args.begin() + 1, args.end()});
  if (o.help()) {
    std::cout << tables_options().help();
    return 0;
  }
  core::log::set_level(core::log::parse_level(o.get("log-level")));
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
