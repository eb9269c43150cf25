#pragma once
// `parley tables create`: the DynamoDB tables of docs/data-model.md on any endpoint, and the
// DynamoDB settings (endpoint, region, table prefix) that `parley serve --store dynamodb` shares.
#include <string>
#include <vector>

#include "app/options.hpp"
#include "aws/dynamodb/client_config.hpp"
#include "store/dynamodb/dynamo_tables.hpp"

namespace app {

int tables_command(const std::vector<std::string>& args);
// Its options (app/tables_options.cpp).
const OptionTable& tables_options();

struct DynamoSettings {
  aws::dynamodb::ClientConfig client;
  store::DynamoTables tables;
};

// From --dynamodb-endpoint, --region, --table-prefix and the environment (credentials as
// Lambda provides them; region AWS_REGION; table names WEBSOCKET_TABLE, MEMBERS_TABLE, ...).
// A local endpoint without credentials in the environment gets placeholder ones, so dynalite
// and DynamoDB Local work out of the box. Throws std::invalid_argument with the reason.
DynamoSettings dynamo_settings(const Options& o);

}  // namespace app
