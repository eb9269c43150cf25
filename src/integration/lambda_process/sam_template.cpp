#include "integration/lambda_process/sam_template.hpp"

#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace integration::sam {
namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw TemplateError(where + ": " + what);
}

// A scalar's text, whatever its tag; `where` names it in the error.
std::string scalar(const YAML::Node& n, const std::string& where) {
  if (!n || !n.IsScalar()) fail(where, "expected a string");
  return n.Scalar();
}

bool has_tag(const YAML::Node& n, std::string_view tag) { return n.Tag() == tag; }

int integer(const YAML::Node& n, const std::string& where, int min, int max) {
  if (!n.IsScalar() || (n.Tag() != "?" && n.Tag() != "!" && !n.Tag().empty()))
    fail(where, "expected a number");
  try {
    const int v = n.as<int>();
    if (v < min || v > max)
      fail(where, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return v;
  } catch (const YAML::BadConversion&) {
    fail(where, "expected a whole number, not '" + n.Scalar() + "'");
  }
}

// Function properties that Globals.Function may also set: the function's own value wins.
YAML::Node property(const YAML::Node& props, const YAML::Node& globals, const char* name) {
  if (props && props[name]) return props[name];
  if (globals && globals[name]) return globals[name];
  return YAML::Node(YAML::NodeType::Undefined);
}

void read_variables(const YAML::Node& env, const std::string& where,
                    std::map<std::string, EnvValue>& out) {
  if (!env) return;
  const YAML::Node vars = env["Variables"];
  if (!vars) return;
  if (!vars.IsMap()) fail(where + ".Environment.Variables", "expected a mapping");
  for (const auto& kv : vars) {
    const std::string name = kv.first.Scalar();
    const std::string at = where + ".Environment.Variables." + name;
    const YAML::Node& v = kv.second;
    EnvValue value;
    if (has_tag(v, "!Ref")) {
      value.ref = scalar(v, at);
    } else if (v.IsMap() && v["Ref"]) {
      value.ref = scalar(v["Ref"], at);
    } else if (v.IsScalar() && (v.Tag() == "?" || v.Tag() == "!" || v.Tag().empty())) {
      value.literal = v.Scalar();
    } else {
      fail(at, "only plain values and !Ref are supported locally (found " +
                   (v.Tag().empty() ? std::string("a structure") : v.Tag()) + ")");
    }
    out[name] = std::move(value);
  }
}

Function read_function(const std::string& id, const YAML::Node& resource,
                       const YAML::Node& globals) {
  const std::string where = "Resources." + id;
  const YAML::Node props = resource["Properties"];
  Function f;
  f.logical_id = id;
  const YAML::Node handler = property(props, globals, "Handler");
  if (!handler) fail(where, "the function has no Handler");
  f.handler = scalar(handler, where + ".Handler");
  if (auto r = property(props, globals, "Runtime")) f.runtime = scalar(r, where + ".Runtime");
  // SAM's CodeUri, or a plain AWS::Lambda::Function's Code when it is a local path (what
  // `sam build`/`package` would upload); an S3 location has no local code to run.
  if (auto c = property(props, globals, "CodeUri")) {
    if (!c.IsScalar()) fail(where + ".CodeUri", "only a local path runs locally (found an S3 location)");
    f.code_uri = c.Scalar();
  } else if (props && props["Code"] && props["Code"].IsScalar()) {
    f.code_uri = props["Code"].Scalar();
  }
  if (auto t = property(props, globals, "Timeout"))
    f.timeout_s = integer(t, where + ".Timeout", 1, 900);
  if (auto m = property(props, globals, "MemorySize"))
    f.memory_mb = integer(m, where + ".MemorySize", 128, 10240);
  if (auto r = property(props, globals, "ReservedConcurrentExecutions"))
    f.reserved_concurrency = integer(r, where + ".ReservedConcurrentExecutions", 0, 100000);
  read_variables(globals ? globals["Environment"] : YAML::Node(YAML::NodeType::Undefined), "Globals.Function", f.environment);
  read_variables(props ? props["Environment"] : YAML::Node(YAML::NodeType::Undefined), where + ".Properties", f.environment);
  return f;
}

}  // namespace

std::string referenced_id(std::string_view sub, std::string_view prefix) {
  const auto at = sub.find(prefix);
  if (at == std::string_view::npos) return {};
  auto rest = sub.substr(at + prefix.size());
  if (rest.starts_with("${")) {
    const auto end = rest.find('}');
    if (end == std::string_view::npos) return {};
    auto name = rest.substr(2, end - 2);
    if (auto dot = name.find('.'); dot != std::string_view::npos) name = name.substr(0, dot);
    return std::string(name);
  }
  const auto end = rest.find_first_of("/.");
  return std::string(rest.substr(0, end));
}

const Function* Template::function_for(std::string_view route_key) const {
  for (const auto& r : routes) {
    if (r.route_key != route_key) continue;
    auto it = functions.find(r.function);
    return it == functions.end() ? nullptr : &it->second;
  }
  return nullptr;
}

Template parse_template(const std::string& yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw TemplateError(std::string("not valid YAML: ") + e.what());
  }
  if (!root.IsMap()) throw TemplateError("not a template: expected a mapping at the top");
  const YAML::Node resources = root["Resources"];
  if (!resources || !resources.IsMap()) throw TemplateError("the template has no Resources");
  const YAML::Node globals = root["Globals"] ? root["Globals"]["Function"] : YAML::Node(YAML::NodeType::Undefined);

  Template t;
  if (const YAML::Node params = root["Parameters"]; params && params.IsMap()) {
    for (const auto& kv : params)
      if (kv.second.IsMap() && kv.second["Default"] && kv.second["Default"].IsScalar())
        t.parameter_defaults[kv.first.Scalar()] = kv.second["Default"].Scalar();
  }
  for (const auto& kv : resources) {
    const std::string id = kv.first.Scalar();
    if (!kv.second.IsMap() || !kv.second["Type"]) fail("Resources." + id, "no Type");
    t.resource_types[id] = scalar(kv.second["Type"], "Resources." + id + ".Type");
  }

  std::string api_id;
  for (const auto& [id, type] : t.resource_types) {
    if (type != "AWS::ApiGatewayV2::Api") continue;
    const YAML::Node props = resources[id]["Properties"];
    if (!props || !props["ProtocolType"] || props["ProtocolType"].Scalar() != "WEBSOCKET") continue;
    if (!api_id.empty()) fail("Resources", "more than one WebSocket API (" + api_id + ", " + id + ")");
    api_id = id;
    if (!props["RouteSelectionExpression"])
      fail("Resources." + id, "the WebSocket API has no RouteSelectionExpression");
    t.route_selection_expression =
        scalar(props["RouteSelectionExpression"], "Resources." + id + ".RouteSelectionExpression");
  }
  if (api_id.empty()) throw TemplateError("no AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET");

  for (const auto& kv : resources) {
    const std::string id = kv.first.Scalar();
    if (t.resource_types[id] != "AWS::ApiGatewayV2::Route") continue;
    const std::string where = "Resources." + id + ".Properties";
    const YAML::Node props = kv.second["Properties"];
    if (!props || !props["RouteKey"]) fail(where, "the route has no RouteKey");
    Route route;
    route.route_key = scalar(props["RouteKey"], where + ".RouteKey");
    if (!props["Target"]) fail(where, "route " + route.route_key + " has no Target integration");
    const std::string integration =
        referenced_id(scalar(props["Target"], where + ".Target"), "integrations/");
    if (integration.empty() || t.resource_types[integration] != "AWS::ApiGatewayV2::Integration")
      fail(where + ".Target", "'" + props["Target"].Scalar() +
                                  "' does not name an AWS::ApiGatewayV2::Integration");

    const std::string iwhere = "Resources." + integration + ".Properties";
    const YAML::Node iprops = resources[integration]["Properties"];
    if (!iprops || !iprops["IntegrationType"] || iprops["IntegrationType"].Scalar() != "AWS_PROXY")
      fail(iwhere, "only IntegrationType AWS_PROXY (a Lambda function) runs locally");
    if (!iprops["IntegrationUri"]) fail(iwhere, "no IntegrationUri");
    const YAML::Node uri = iprops["IntegrationUri"];
    std::string function;
    if (has_tag(uri, "!GetAtt")) {
      function = scalar(uri, iwhere + ".IntegrationUri");
      function = function.substr(0, function.find('.'));
    } else {
      function = referenced_id(scalar(uri, iwhere + ".IntegrationUri"), "functions/");
    }
    const auto type = t.resource_types.find(function);
    if (function.empty() || type == t.resource_types.end() ||
        (type->second != "AWS::Serverless::Function" && type->second != "AWS::Lambda::Function"))
      fail(iwhere + ".IntegrationUri", "'" + uri.Scalar() + "' does not name a function of the template");
    if (!t.functions.contains(function))
      t.functions.emplace(function, read_function(function, resources[function], globals));
    route.function = function;
    for (const auto& r : t.routes)
      if (r.route_key == route.route_key) fail(where, "route key " + route.route_key + " is defined twice");
    t.routes.push_back(std::move(route));
  }
  if (t.routes.empty()) throw TemplateError("the template has no AWS::ApiGatewayV2::Route");
  return t;
}

Template load_template(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw TemplateError("cannot read the template " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return parse_template(text.str());
  } catch (const TemplateError& e) {
    throw TemplateError(file.string() + ": " + e.what());
  }
}

}  // namespace integration::sam
