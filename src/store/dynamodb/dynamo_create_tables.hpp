#pragma once
// Creates the tables of docs/data-model.md, idempotently, on any DynamoDB-compatible endpoint:
// `parley tables create` and `parley serve --store dynamodb --create-tables` call it.
#include <ostream>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "aws/dynamodb/sync_client.hpp"
#include "core/error.hpp"
#include "store/dynamodb/dynamo_tables.hpp"

namespace store {

// For each table: CreateTable (on-demand billing; ResourceInUse means it is already there),
// wait until it and its GSI are ACTIVE (DescribeTable), then enable TTL on `ttl` where rows
// expire. A backend without TTL (dynalite) is logged and skipped: nothing depends on the sweep.
// One progress line per step on `progress`. store_unavailable (with a log line) on failure.
core::result<void> create_tables(aws::dynamodb::SyncClient& client, const DynamoTables& tables,
                                 std::ostream& progress);

// Any tables, the same way: a CreateTable request each, and the attribute TTL is enabled on
// ("" for none). `parley serve --lambda process --create-tables` makes a template's tables so.
struct TableSpec {
  std::string name;
  boost::json::object create;
  std::string ttl_attribute;
};
core::result<void> create_tables(aws::dynamodb::SyncClient& client, std::vector<TableSpec> tables,
                                 std::ostream& progress);

}  // namespace store
