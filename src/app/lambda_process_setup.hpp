#pragma once
// `parley serve --lambda process`: the template's routes and functions turned into a
// LambdaProcess integration (integration/lambda_process), with the environment each function
// gets locally: its template variables (!Ref of a table → the local table name), the store
// (PARLEY_SQLITE_FILE, or DYNAMODB_ENDPOINT and credentials), and later
// PARLEY_MANAGEMENT_ENDPOINT (the gateway's own @connections API).
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/options.hpp"
#include "gateway/authorizer.hpp"
#include "gateway/config.hpp"
#include "integration/lambda_process/lambda_process.hpp"
#include "integration/lambda_process/sam_template.hpp"
#include "store/dynamodb/dynamo_tables.hpp"

namespace app {

struct LambdaProcessSetup {
  std::unique_ptr<integration::lambda_process::LambdaProcess> integration;
  std::string route_selection_expression;
  std::filesystem::path template_file;
  std::filesystem::path bootstrap;
  std::size_t functions = 0;
  std::set<std::string> two_way_routes;  // routes with a $default RouteResponse
  // The $connect route's REQUEST authorizer function, if the template gives one.
  std::shared_ptr<const gateway::Authorizer> authorizer;
  std::string stage_name;                     // the template's Stage, if any
  std::vector<integration::sam::Table> tables;  // to create with --create-tables
};

// What the functions' store is: a SQLite file, or DynamoDB tables at an endpoint.
struct LambdaStore {
  std::optional<std::filesystem::path> sqlite_file;
  store::DynamoTables tables;  // also what !Ref of a table resolves to
  std::string dynamodb_endpoint;  // empty: DynamoDB in the region
  std::string region = "us-east-1";
  std::string access_key_id, secret_access_key, session_token;
};

// The store as the functions see it: `sqlite_file` with --store sqlite (the default), else the
// DynamoDB tables, endpoint, region and credentials of --store dynamodb's flags and environment;
// the gateway's credentials (placeholders when it has none) either way.
LambdaStore lambda_store(const Options& o, const std::filesystem::path& sqlite_file);

// From --template (default deploy/template.yaml, looked for in the working directory and next
// to the executable's parent), --parameter-overrides, --stack-name, --bootstrap (default:
// `bootstrap` beside this executable), --python, --node, --lambda-concurrency, --lambda-idle,
// --lambda-credentials. Each function runs by its Runtime from its CodeUri (relative to the
// template's folder).
//
// Unless `config` has a certificate already, the port is made to speak https too (a
// certificate generated into data/tls, tls_optional): the functions' SDKs reach the management
// API at https://{domainName}/{stage} as on AWS, trusting it through AWS_CA_BUNDLE,
// SSL_CERT_FILE and NODE_EXTRA_CA_CERTS. Throws std::invalid_argument saying what is wrong (a
// template's error names the resource and property).
LambdaProcessSetup make_lambda_process(const Options& o, const LambdaStore& store,
                                       gateway::Config& config, const std::filesystem::path& data);

// The credentials the functions get: `parleylocal` with a secret made for this run unless
// --lambda-credentials host, or DynamoDB in AWS itself (no endpoint), asks for the gateway's
// own. make_lambda_process puts them in config.function_keys.
bool functions_get_host_credentials(const Options& o, const LambdaStore& store);

// `--parameter-overrides A=1 B=2` as `sam deploy` takes it: the words after the flag up to the
// next option become repeated `--parameter-overrides` values the Options parser accepts.
std::vector<std::string> expand_parameter_overrides(const std::vector<std::string>& args);

// --create-tables in process mode: the template's AWS::DynamoDB::Table resources, made
// idempotently at --dynamodb-endpoint (progress on `progress`). False after printing why not.
bool create_template_tables(const Options& o, const std::vector<integration::sam::Table>& tables,
                            std::ostream& progress);

}  // namespace app
