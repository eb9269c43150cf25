#include "integration/lambda_process/template_intrinsics.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

// The names a template refers to: its Parameters (with --parameter-overrides, checked), the
// pseudo parameters, and what Ref and Fn::GetAtt of a resource give.
namespace integration::sam {
namespace {

std::string lower_table_name(std::string id) {
  if (id.ends_with("Table") && id.size() > 5) id.resize(id.size() - 5);
  std::transform(id.begin(), id.end(), id.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return id;
}

// A bound of the parameter (MinLength, MaxValue, ...) as a number.
double bound(const YAML::Node& p, const char* name, const std::string& where) {
  try {
    return std::stod(p[name].Scalar());
  } catch (const std::exception&) {
    fail(where + "." + name, "expected a number, not '" + p[name].Scalar() + "'");
  }
}

// MinLength/MaxLength of a String, Number's form and MinValue/MaxValue, as CloudFormation checks
// them before it creates anything.
void check_constraints(const YAML::Node& p, const std::string& where, const std::string& type,
                       const std::string& value) {
  const auto length = static_cast<double>(value.size());
  if (p["MinLength"] && length < bound(p, "MinLength", where))
    fail(where, "'" + value + "' is shorter than its MinLength " + p["MinLength"].Scalar());
  if (p["MaxLength"] && length > bound(p, "MaxLength", where))
    fail(where, "'" + value + "' is longer than its MaxLength " + p["MaxLength"].Scalar());
  if (type != "Number") return;
  double number = 0;
  try {
    std::size_t used = 0;
    number = std::stod(value, &used);
    if (used != value.size()) throw std::invalid_argument(value);
  } catch (const std::exception&) {
    fail(where, "'" + value + "' is not a Number");
  }
  if (p["MinValue"] && number < bound(p, "MinValue", where))
    fail(where, "'" + value + "' is less than its MinValue " + p["MinValue"].Scalar());
  if (p["MaxValue"] && number > bound(p, "MaxValue", where))
    fail(where, "'" + value + "' is more than its MaxValue " + p["MaxValue"].Scalar());
}

}  // namespace

void Intrinsics::read_parameters(const YAML::Node& params) {
  if (params && !params.IsMap()) fail("Parameters", "expected a mapping");
  for (const auto& [name, value] : options_.parameter_overrides)
    if (!params || !params[name])
      fail("--parameter-overrides", "the template has no parameter " + name);
  if (!params) return;
  for (const auto& kv : params) {
    const std::string name = kv.first.Scalar();
    const std::string where = "Parameters." + name;
    const YAML::Node& p = kv.second;
    if (!p.IsMap()) fail(where, "expected a mapping with a Type");
    std::optional<std::string> value;
    if (auto o = options_.parameter_overrides.find(name); o != options_.parameter_overrides.end())
      value = o->second;
    else if (p["Default"] && p["Default"].IsScalar())
      value = p["Default"].Scalar();
    else if (p["Default"] && p["Default"].IsSequence()) {
      std::string joined;
      for (const auto& item : p["Default"]) joined += (joined.empty() ? "" : ",") + item.Scalar();
      value = joined;
    }
    if (!value) fail(where, "no Default and no value given: add --parameter-overrides " + name + "=VALUE");
    if (const YAML::Node allowed = p["AllowedValues"]; allowed && allowed.IsSequence()) {
      bool ok = false;
      std::string list;
      for (const auto& a : allowed) {
        ok = ok || a.Scalar() == *value;
        list += (list.empty() ? "" : ", ") + a.Scalar();
      }
      if (!ok) fail(where, "'" + *value + "' is not one of its AllowedValues (" + list + ")");
    }
    if (const YAML::Node pattern = p["AllowedPattern"]; pattern && pattern.IsScalar()) {
      bool ok = false;
      try {
        ok = std::regex_match(*value, std::regex(pattern.Scalar(), std::regex::ECMAScript));
      } catch (const std::regex_error&) {
        fail(where + ".AllowedPattern", "not a regular expression: " + pattern.Scalar());
      }
      if (!ok) fail(where, "'" + *value + "' does not match its AllowedPattern " + pattern.Scalar());
    }
    const std::string type = p["Type"] ? p["Type"].Scalar() : "String";
    check_constraints(p, where, type, *value);
    scalar_parameters_[name] = *value;
    if (type == "CommaDelimitedList" || type.starts_with("List<")) {
      YAML::Node items(YAML::NodeType::Sequence);
      std::size_t start = 0;
      for (;;) {
        const auto comma = value->find(',', start);
        items.push_back(value->substr(start, comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      parameters_[name] = items;
    } else {
      parameters_[name] = YAML::Node(*value);
    }
  }
}

std::string Intrinsics::type_of(const std::string& id) const {
  if (!resources_ || !resources_.IsMap()) return "";
  const YAML::Node r = resources_[id];
  return r && r.IsMap() && r["Type"] && r["Type"].IsScalar() ? r["Type"].Scalar() : "";
}

bool Intrinsics::exists(const std::string& id) {
  if (type_of(id).empty()) return false;
  const YAML::Node c = resources_[id]["Condition"];
  return !c || condition(c.Scalar(), "Resources." + id + ".Condition");
}

std::string Intrinsics::ref_resource(const std::string& id, const std::string& where) {
  const std::string type = type_of(id);
  const YAML::Node props = resources_[id]["Properties"];
  auto named = [&](const char* property) -> std::optional<std::string> {
    if (!props || !props.IsMap() || !props[property]) return std::nullopt;
    return resolve_string(props[property], "Resources." + id + ".Properties." + property);
  };
  if (!exists(id)) fail(where, id + " is not created: its Condition is false");
  if (type == "AWS::DynamoDB::Table") return named("TableName").value_or(options_.table_prefix + lower_table_name(id));
  if (type == "AWS::Serverless::Function" || type == "AWS::Lambda::Function")
    return named("FunctionName").value_or(id);
  return id;
}

YAML::Node Intrinsics::ref(const std::string& name, const std::string& where) {
  if (name == "AWS::Region") return YAML::Node(options_.region);
  if (name == "AWS::AccountId") return YAML::Node(options_.account_id);
  if (name == "AWS::StackName") return YAML::Node(options_.stack_name);
  if (name == "AWS::StackId")
    return YAML::Node("arn:aws:cloudformation:" + options_.region + ":" + options_.account_id +
                      ":stack/" + options_.stack_name + "/00000000-0000-0000-0000-000000000000");
  if (name == "AWS::Partition") return YAML::Node("aws");
  if (name == "AWS::URLSuffix") return YAML::Node("amazonaws.com");
  if (auto p = parameters_.find(name); p != parameters_.end()) return p->second;
  if (!type_of(name).empty()) return YAML::Node(ref_resource(name, where));
  fail(where, "Ref " + name + " names no parameter, resource or pseudo parameter");
}

std::string Intrinsics::get_att(const std::string& id, const std::string& attribute,
                                const std::string& where) {
  const std::string type = type_of(id);
  if (type.empty()) fail(where, "Fn::GetAtt " + id + "." + attribute + ": no resource " + id);
  const std::string name = ref_resource(id, where);
  const std::string region_account = options_.region + ":" + options_.account_id;
  if ((type == "AWS::Serverless::Function" || type == "AWS::Lambda::Function") && attribute == "Arn")
    return "arn:aws:lambda:" + region_account + ":function:" + name;
  if (type == "AWS::DynamoDB::Table") {
    const std::string arn = "arn:aws:dynamodb:" + region_account + ":table/" + name;
    if (attribute == "Arn") return arn;
    if (attribute == "StreamArn") return arn + "/stream/1970-01-01T00:00:00.000";
  }
  if (type == "AWS::ApiGatewayV2::Api") {
    if (attribute == "ApiId") return name;
    if (attribute == "ApiEndpoint")
      return "wss://" + name + ".execute-api." + options_.region + ".amazonaws.com";
  }
  if (type == "AWS::IAM::Role" && attribute == "Arn")
    return "arn:aws:iam::" + options_.account_id + ":role/" + name;
  if (type == "AWS::SQS::Queue" && attribute == "Arn") return "arn:aws:sqs:" + region_account + ":" + name;
  if (type == "AWS::SNS::Topic" && attribute == "TopicName") return name;
  fail(where, "Fn::GetAtt " + id + "." + attribute + ": the attribute " + attribute + " of " + type +
                  " is not known locally");
}

}  // namespace integration::sam
