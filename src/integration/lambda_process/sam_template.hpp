#pragma once
// What `parley serve --lambda process` reads from a SAM template (deploy/template.yaml): the
// WebSocket API's route selection expression, each route's key and the function its
// integration calls, and each function's Handler, Timeout, MemorySize,
// ReservedConcurrentExecutions and Environment (Globals.Function merged in). Routes are thus
// defined once, for AWS and for the local gateway.
//
// YAML is read with yaml-cpp (Debian's libyaml-cpp-dev); CloudFormation's short-form tags
// (!Ref, !Sub, !GetAtt) are read from node.Tag(). Only the shapes a template of this kind uses
// are understood; anything else is a TemplateError naming the resource and property.
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace integration::sam {

struct TemplateError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An environment variable's value: a literal, or a !Ref to a resource or parameter (its
// logical id), resolved by the caller (a table's local name, a parameter's default).
struct EnvValue {
  std::string literal;
  std::string ref;  // non-empty for !Ref
  bool is_ref() const { return !ref.empty(); }
};

struct Function {
  std::string logical_id;  // ConnectFunction
  std::string handler;     // _HANDLER
  std::string runtime;     // Runtime (python3.12, nodejs20.x, provided.al2023); empty: not given
  std::string code_uri;    // CodeUri as written (a folder relative to the template, or a zip)
  int timeout_s = 3;       // Lambda's defaults when neither the function nor Globals set them
  int memory_mb = 128;
  std::optional<int> reserved_concurrency;  // ReservedConcurrentExecutions
  std::map<std::string, EnvValue> environment;
};

struct Route {
  std::string route_key;  // $connect, sendmessage, ...
  std::string function;   // logical id of the function its integration calls
};

struct Template {
  std::string route_selection_expression;
  std::vector<Route> routes;                  // in template order
  std::map<std::string, Function> functions;  // by logical id, those that routes reach
  std::map<std::string, std::string> resource_types;        // logical id -> Type
  std::map<std::string, std::string> parameter_defaults;    // Parameters with a Default

  const Function* function_for(std::string_view route_key) const;
};

// Parses template text; throws TemplateError with what is wrong and where.
Template parse_template(const std::string& yaml_text);
// Reads and parses a file; throws TemplateError (naming the file) when it cannot.
Template load_template(const std::filesystem::path& file);

// "${Name.Arn}" / "${Name}" in a !Sub string, or the plain value: the logical id named by an
// IntegrationUri (…/functions/${ConnectFunction.Arn}/invocations) or a Target
// (integrations/${ConnectIntegration}). Empty when there is none.
std::string referenced_id(std::string_view sub, std::string_view prefix);

}  // namespace integration::sam
