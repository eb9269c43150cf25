#pragma once
// CloudFormation's intrinsic functions, evaluated the way CloudFormation would for a stack run
// locally: Ref, Fn::Sub (string and [string, {vars}] forms, ${Res.Attr}, ${!Literal}),
// Fn::Join, Fn::GetAtt (A.B and [A, B]), Fn::Select, Fn::Split, Fn::FindInMap, Fn::If with the
// template's Conditions (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition) and AWS::NoValue,
// in their short (!Ref) and long (Fn::…) forms; Parameters with Default, AllowedValues and
// AllowedPattern, overridden as `sam deploy --parameter-overrides` does. Only the properties
// Parley reads are evaluated (a policy it ignores may use forms it does not know). A form it
// cannot evaluate is a TemplateError naming where it is, never a guess.
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "integration/lambda_process/template_error.hpp"

namespace integration::sam {

// What the stack's names stand for locally.
struct ParseOptions {
  std::map<std::string, std::string> parameter_overrides;  // --parameter-overrides Key=Value
  std::string region = "us-east-1";
  std::string account_id = "123456789012";
  std::string stack_name = "parley-local";
  // A table without TableName is named table_prefix + its logical id, lower case, without a
  // trailing "Table" (CloudFormation would generate STACK-LogicalId-RANDOM; a fixed name lets
  // data outlive a restart and keeps Parley's own template on its usual tables).
  std::string table_prefix = "parley-";
  std::filesystem::path base_dir;  // what CodeUri is relative to (the template's directory)
};

class Intrinsics {
 public:
  // Reads Parameters (checked), Conditions, Mappings and the resources' types and conditions.
  Intrinsics(const YAML::Node& root, ParseOptions options);

  // `n` with every intrinsic function evaluated: a plain scalar, sequence or mapping; nullopt
  // for AWS::NoValue (a mapping entry or list item that is NoValue is left out).
  std::optional<YAML::Node> resolve(const YAML::Node& n, const std::string& where);
  // resolve(), which must give a scalar.
  std::string resolve_string(const YAML::Node& n, const std::string& where);
  // A condition of the template's Conditions.
  bool condition(const std::string& name, const std::string& where);

  // The resource is in the template and its Condition (if any) holds.
  bool exists(const std::string& logical_id);
  // Its Type ("" when there is no such resource).
  std::string type_of(const std::string& logical_id) const;
  const YAML::Node& resources() const { return resources_; }
  // Ref of a resource: a function's FunctionName (else its logical id), a table's TableName
  // (else the generated name), anything else its logical id.
  std::string ref_resource(const std::string& logical_id, const std::string& where);
  const ParseOptions& options() const { return options_; }
  const std::map<std::string, std::string>& parameters() const { return scalar_parameters_; }

 private:
  std::optional<YAML::Node> function(const std::string& name, const YAML::Node& arg,
                                     const std::string& where);
  YAML::Node ref(const std::string& name, const std::string& where);
  std::string get_att(const std::string& id, const std::string& attribute, const std::string& where);
  std::string sub(const std::string& text, const std::map<std::string, YAML::Node>& vars,
                  const std::string& where);
  bool evaluate_condition(const YAML::Node& n, const std::string& where);
  std::vector<YAML::Node> list(const YAML::Node& n, const std::string& where);
  void read_parameters(const YAML::Node& params);

  ParseOptions options_;
  YAML::Node resources_;
  YAML::Node conditions_;
  YAML::Node mappings_;
  std::map<std::string, YAML::Node> parameters_;  // resolved values (lists for List types)
  std::map<std::string, std::string> scalar_parameters_;
  std::map<std::string, bool> condition_values_;
  std::set<std::string> evaluating_;  // conditions being evaluated, to refuse a cycle
};

}  // namespace integration::sam
