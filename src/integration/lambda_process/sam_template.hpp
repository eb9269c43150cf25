#pragma once
// What `parley serve --lambda process` (and `parley local`) reads from a SAM / CloudFormation
// template: the WebSocket API's route selection expression, each route's key, the function its
// integration calls, whether it is two-way (a $default RouteResponse) and its REQUEST
// authorizer; each function's Runtime, CodeUri, Handler, Timeout, MemorySize,
// ReservedConcurrentExecutions and Environment (Globals.Function merged in); the DynamoDB tables
// to create. Routes are thus defined once, for AWS and for the local gateway.
//
// YAML is read with yaml-cpp (Debian's libyaml-cpp-dev); intrinsic functions are evaluated by
// template_intrinsics (short tags and Fn:: forms). A shape that is not understood is a
// TemplateError naming the resource and property, never a guess.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "integration/lambda_process/template_error.hpp"
#include "integration/lambda_process/template_intrinsics.hpp"

namespace integration::sam {

// An environment variable's value, evaluated (`literal`); `ref` also names the resource or
// parameter when the value was written as a plain !Ref.
struct EnvValue {
  std::string literal;
  std::string ref;
  bool is_ref() const { return !ref.empty(); }
};

struct Function {
  std::string logical_id;  // ConnectFunction
  std::string name;        // FunctionName, else the logical id: AWS_LAMBDA_FUNCTION_NAME
  std::string handler;     // _HANDLER
  std::string runtime;     // Runtime: provided.al2023, python3.12, nodejs20.x ("" when unset)
  // CodeUri (AWS::Serverless::Function, Globals underneath) or Code (AWS::Lambda::Function), a
  // local path, evaluated but as written (relative to the template: "src/"); empty when none.
  std::string code_uri;
  // The same made absolute against the template's directory (ParseOptions::base_dir).
  std::filesystem::path code_path;
  int timeout_s = 3;       // Lambda's defaults when neither the function nor Globals set them
  int memory_mb = 128;
  std::optional<int> reserved_concurrency;  // ReservedConcurrentExecutions
  std::map<std::string, EnvValue> environment;
};

struct Route {
  std::string route_key;  // $connect, sendmessage, ...
  std::string function;   // logical id of the function its integration calls
  // RouteResponseSelectionExpression $default and a RouteResponse with key $default: the
  // function's returned body is sent back to the caller (aws-contract.md §1.4).
  bool two_way = false;
  std::string authorizer;  // logical id of its AWS::ApiGatewayV2::Authorizer ($connect only)
};

// A REQUEST authorizer backed by a function (AuthorizerUri).
struct Authorizer {
  std::string logical_id;
  std::string name;
  std::string function;  // logical id
  // route.request.header.NAME / route.request.querystring.NAME: one missing answers 401.
  std::vector<std::string> identity_sources;
};

// An AWS::DynamoDB::Table, as a CreateTable request (JSON) and its TTL attribute.
struct Table {
  std::string logical_id;
  std::string name;            // TableName, or the generated name (ParseOptions::table_prefix)
  std::string create_request;  // DynamoDB CreateTable JSON
  std::string ttl_attribute;   // TimeToLiveSpecification with Enabled: true; "" otherwise
};

struct Template {
  std::string route_selection_expression;
  std::string stage_name;                     // the AWS::ApiGatewayV2::Stage's, if any
  std::vector<Route> routes;                  // in template order
  std::map<std::string, Function> functions;  // by logical id: those routes and authorizers call
  std::map<std::string, Authorizer> authorizers;
  std::vector<Table> tables;
  std::map<std::string, std::string> resource_types;        // logical id -> Type
  std::map<std::string, std::string> parameter_defaults;    // every parameter's value

  const Function* function_for(std::string_view route_key) const;
};

// Parses template text; throws TemplateError with what is wrong and where.
Template parse_template(const std::string& yaml_text, const ParseOptions& options = {});
// Reads and parses a file (CodeUri relative to its directory); throws TemplateError (naming
// the file) when it cannot.
Template load_template(const std::filesystem::path& file, ParseOptions options = {});

// The values of --parameter-overrides, each one or more space-separated "Key=Value" words as
// `sam deploy` takes them (one quoted "A=1 B=2" or several flags alike; also
// ParameterKey=K,ParameterValue=V as the AWS CLI writes them); throws TemplateError on a word
// without '='. The one place these values are read.
std::map<std::string, std::string> parse_parameter_overrides(const std::vector<std::string>& values);

}  // namespace integration::sam
