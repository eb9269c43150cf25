#include "integration/lambda_process/sam_template.hpp"

#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "integration/lambda_process/template_functions.hpp"
#include "integration/lambda_process/template_tables.hpp"

namespace integration::sam {
namespace {

const char* const kIntegration = "AWS::ApiGatewayV2::Integration";

// The resources of one type that exist (their Condition holds), in template order.
std::vector<std::string> of_type(Intrinsics& in, const YAML::Node& resources, std::string_view type) {
  std::vector<std::string> ids;
  for (const auto& kv : resources)
    if (in.type_of(kv.first.Scalar()) == type && in.exists(kv.first.Scalar())) ids.push_back(kv.first.Scalar());
  return ids;
}

YAML::Node properties(Intrinsics& in, const std::string& id) {
  const YAML::Node p = in.resources()[id]["Properties"];
  if (!p || !p.IsMap()) fail("Resources." + id, "no Properties");
  return p;
}

// An optional property, evaluated to a string ("" when absent or AWS::NoValue).
std::string optional_string(Intrinsics& in, const YAML::Node& props, const char* name, const std::string& where) {
  if (!props[name]) return "";
  auto v = in.resolve(props[name], where + "." + name);
  if (!v) return "";
  if (!v->IsScalar()) fail(where + "." + name, "expected a string");
  return v->Scalar();
}

void use_function(Template& t, Intrinsics& in, const std::string& id, const YAML::Node& globals) {
  if (!t.functions.contains(id)) t.functions.emplace(id, read_function(in, id, globals));
}

Authorizer read_authorizer(Template& t, Intrinsics& in, const std::string& id, const YAML::Node& globals) {
  const std::string where = "Resources." + id + ".Properties";
  const YAML::Node props = properties(in, id);
  Authorizer a;
  a.logical_id = id;
  a.name = optional_string(in, props, "Name", where);
  const std::string type = optional_string(in, props, "AuthorizerType", where);
  if (type != "REQUEST")
    fail(where + ".AuthorizerType", "only REQUEST authorizers (a Lambda function) run on a WebSocket API, not '" + type + "'");
  const std::string uri = optional_string(in, props, "AuthorizerUri", where);
  if (uri.empty()) fail(where + ".AuthorizerUri", "the authorizer names no function");
  a.function = function_of_uri(in, uri, where + ".AuthorizerUri");
  use_function(t, in, a.function, globals);
  if (props["IdentitySource"]) {
    auto v = in.resolve(props["IdentitySource"], where + ".IdentitySource");
    std::vector<std::string> sources;
    if (v && v->IsScalar()) {
      sources.push_back(v->Scalar());
    } else if (v && v->IsSequence()) {
      for (const auto& s : *v) sources.push_back(s.Scalar());
    }
    for (const auto& s : sources) {
      if ((!s.starts_with("route.request.header.") && !s.starts_with("route.request.querystring.")) ||
          s.ends_with("."))
        fail(where + ".IdentitySource",
             "'" + s + "' is not route.request.header.NAME or route.request.querystring.NAME");
      a.identity_sources.push_back(s);
    }
  }
  return a;
}

Route read_route(Template& t, Intrinsics& in, const std::string& id, const YAML::Node& globals) {
  const std::string where = "Resources." + id + ".Properties";
  const YAML::Node props = properties(in, id);
  Route route;
  route.route_key = optional_string(in, props, "RouteKey", where);
  if (route.route_key.empty()) fail(where, "the route has no RouteKey");
  const std::string target = optional_string(in, props, "Target", where);
  if (target.empty()) fail(where, "route " + route.route_key + " has no Target integration");
  const std::string integration = target.starts_with("integrations/") ? target.substr(13) : "";
  if (integration.empty() || in.type_of(integration) != kIntegration || !in.exists(integration))
    fail(where + ".Target", "'" + target + "' does not name an AWS::ApiGatewayV2::Integration");

  const std::string iwhere = "Resources." + integration + ".Properties";
  const YAML::Node iprops = properties(in, integration);
  if (optional_string(in, iprops, "IntegrationType", iwhere) != "AWS_PROXY")
    fail(iwhere + ".IntegrationType", "only AWS_PROXY (a Lambda function) runs locally");
  const std::string uri = optional_string(in, iprops, "IntegrationUri", iwhere);
  if (uri.empty()) fail(iwhere, "no IntegrationUri");
  route.function = function_of_uri(in, uri, iwhere + ".IntegrationUri");
  use_function(t, in, route.function, globals);

  const std::string selection = optional_string(in, props, "RouteResponseSelectionExpression", where);
  if (!selection.empty() && selection != "$default")
    fail(where + ".RouteResponseSelectionExpression",
         "a WebSocket route's is $default, not '" + selection + "'");
  route.two_way = !selection.empty();  // and a RouteResponse: checked by the caller

  const std::string auth = optional_string(in, props, "AuthorizationType", where);
  if (auth == "CUSTOM") {
    if (route.route_key != "$connect")
      fail(where + ".AuthorizationType", "only the $connect route may have an authorizer");
    route.authorizer = optional_string(in, props, "AuthorizerId", where);
    if (in.type_of(route.authorizer) != "AWS::ApiGatewayV2::Authorizer" || !in.exists(route.authorizer))
      fail(where + ".AuthorizerId", "'" + route.authorizer + "' does not name an AWS::ApiGatewayV2::Authorizer");
    if (!t.authorizers.contains(route.authorizer))
      t.authorizers.emplace(route.authorizer, read_authorizer(t, in, route.authorizer, globals));
  } else if (!auth.empty() && auth != "NONE") {
    fail(where + ".AuthorizationType", "'" + auth + "' does not run locally (NONE or CUSTOM do)");
  }
  return route;
}

}  // namespace

const Function* Template::function_for(std::string_view route_key) const {
  for (const auto& r : routes) {
    if (r.route_key != route_key) continue;
    auto it = functions.find(r.function);
    return it == functions.end() ? nullptr : &it->second;
  }
  return nullptr;
}

Template parse_template(const std::string& yaml_text, const ParseOptions& options) {
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

  Intrinsics in(root, options);
  Template t;
  t.parameter_defaults = in.parameters();
  for (const auto& kv : resources) {
    const std::string id = kv.first.Scalar();
    if (!kv.second.IsMap() || !kv.second["Type"] || !kv.second["Type"].IsScalar())
      fail("Resources." + id, "no Type");
    t.resource_types[id] = kv.second["Type"].Scalar();
  }

  std::string api_id;
  for (const auto& id : of_type(in, resources, "AWS::ApiGatewayV2::Api")) {
    const std::string where = "Resources." + id + ".Properties";
    const YAML::Node props = properties(in, id);
    if (optional_string(in, props, "ProtocolType", where) != "WEBSOCKET") continue;
    if (!api_id.empty()) fail("Resources", "more than one WebSocket API (" + api_id + ", " + id + ")");
    api_id = id;
    t.route_selection_expression = optional_string(in, props, "RouteSelectionExpression", where);
    if (t.route_selection_expression.empty())
      fail("Resources." + id, "the WebSocket API has no RouteSelectionExpression");
  }
  if (api_id.empty()) throw TemplateError("no AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET");

  std::map<std::string, std::size_t> route_index;  // logical id → index in t.routes
  for (const auto& id : of_type(in, resources, "AWS::ApiGatewayV2::Route")) {
    Route route = read_route(t, in, id, globals);
    for (const auto& r : t.routes)
      if (r.route_key == route.route_key)
        fail("Resources." + id + ".Properties", "route key " + route.route_key + " is defined twice");
    route_index[id] = t.routes.size();
    t.routes.push_back(std::move(route));
  }
  if (t.routes.empty()) throw TemplateError("the template has no AWS::ApiGatewayV2::Route");

  // Two-way: the route's RouteResponseSelectionExpression and a RouteResponse with key $default.
  std::vector<bool> has_response(t.routes.size(), false);
  for (const auto& id : of_type(in, resources, "AWS::ApiGatewayV2::RouteResponse")) {
    const std::string where = "Resources." + id + ".Properties";
    const YAML::Node props = properties(in, id);
    const std::string route = optional_string(in, props, "RouteId", where);
    auto r = route_index.find(route);
    if (r == route_index.end()) fail(where + ".RouteId", "'" + route + "' does not name an AWS::ApiGatewayV2::Route");
    const std::string key = optional_string(in, props, "RouteResponseKey", where);
    if (key != "$default") fail(where + ".RouteResponseKey", "a WebSocket route response's key is $default, not '" + key + "'");
    has_response[r->second] = true;
  }
  for (std::size_t i = 0; i < t.routes.size(); ++i) t.routes[i].two_way = t.routes[i].two_way && has_response[i];

  for (const auto& id : of_type(in, resources, "AWS::ApiGatewayV2::Stage")) {
    const YAML::Node props = properties(in, id);
    if (t.stage_name.empty()) t.stage_name = optional_string(in, props, "StageName", "Resources." + id + ".Properties");
  }
  for (const auto& id : of_type(in, resources, "AWS::DynamoDB::Table")) t.tables.push_back(read_table(in, id));
  return t;
}

Template load_template(const std::filesystem::path& file, ParseOptions options) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw TemplateError("cannot read the template " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  std::error_code ec;
  if (options.base_dir.empty()) options.base_dir = std::filesystem::absolute(file, ec).parent_path();
  try {
    return parse_template(text.str(), options);
  } catch (const TemplateError& e) {
    throw TemplateError(file.string() + ": " + e.what());
  }
}

std::map<std::string, std::string> parse_parameter_overrides(const std::vector<std::string>& values) {
  std::vector<std::string> words;
  for (const auto& value : values) {
    std::size_t start = 0;
    while ((start = value.find_first_not_of(' ', start)) != std::string::npos) {
      const auto end = value.find(' ', start);
      words.push_back(value.substr(start, end - start));
      start = end;
    }
  }
  std::map<std::string, std::string> out;
  for (const auto& word : words) {
    // The AWS CLI's long form: ParameterKey=K,ParameterValue=V
    if (word.starts_with("ParameterKey=")) {
      const auto comma = word.find(",ParameterValue=");
      if (comma == std::string::npos)
        fail("--parameter-overrides", "'" + word + "' has no ,ParameterValue=");
      out[word.substr(13, comma - 13)] = word.substr(comma + 16);
      continue;
    }
    const auto eq = word.find('=');
    if (eq == std::string::npos || eq == 0)
      fail("--parameter-overrides", "'" + word + "' is not Key=Value");
    out[word.substr(0, eq)] = word.substr(eq + 1);
  }
  return out;
}

}  // namespace integration::sam
