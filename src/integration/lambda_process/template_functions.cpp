#include "integration/lambda_process/template_functions.hpp"

namespace integration::sam {
namespace {

bool is_function_type(const std::string& type) {
  return type == "AWS::Serverless::Function" || type == "AWS::Lambda::Function";
}

int integer(const std::string& text, const std::string& where, int min, int max) {
  int v = 0;
  try {
    std::size_t used = 0;
    v = std::stoi(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
  } catch (const std::exception&) {
    fail(where, "expected a whole number, not '" + text + "'");
  }
  if (v < min || v > max)
    fail(where, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  return v;
}

// The function's own property, else Globals.Function's (SAM functions only), evaluated.
struct Properties {
  Intrinsics& in;
  const std::string& where;  // Resources.ID
  YAML::Node own;
  YAML::Node globals;

  // Where the property is written: the function's, else Globals.Function.
  std::string origin(const char* name) const {
    if (own && own.IsMap() && own[name]) return where + "." + name;
    return std::string("Globals.Function.") + name;
  }
  std::optional<YAML::Node> get(const char* name) {
    if (own && own.IsMap() && own[name]) return in.resolve(own[name], where + ".Properties." + name);
    if (globals && globals.IsMap() && globals[name])
      return in.resolve(globals[name], std::string("Globals.Function.") + name);
    return std::nullopt;
  }
  std::optional<std::string> string(const char* name) {
    auto v = get(name);
    if (!v) return std::nullopt;
    if (!v->IsScalar()) fail(where + "." + name, "expected a string");
    return v->Scalar();
  }
};

void read_variables(Intrinsics& in, const YAML::Node& env, const std::string& where,
                    std::map<std::string, EnvValue>& out) {
  if (!env) return;
  if (!env.IsMap()) fail(where + ".Environment", "expected a mapping with Variables");
  const YAML::Node vars = env["Variables"];
  if (!vars) return;
  if (!vars.IsMap()) fail(where + ".Environment.Variables", "expected a mapping");
  for (const auto& kv : vars) {
    const std::string name = kv.first.Scalar();
    const std::string at = where + ".Environment.Variables." + name;
    const YAML::Node& v = kv.second;
    auto value = in.resolve(v, at);
    if (!value) continue;  // AWS::NoValue: the variable is not set
    if (!value->IsScalar()) fail(at, "a variable's value must evaluate to a string");
    EnvValue e;
    e.literal = value->Scalar();
    if (v.Tag() == "!Ref" && v.IsScalar()) e.ref = v.Scalar();
    else if (v.IsMap() && v.size() == 1 && v["Ref"] && v["Ref"].IsScalar()) e.ref = v["Ref"].Scalar();
    out[name] = std::move(e);
  }
}

// A CodeUri / Code: a local path (S3 locations and inline code have nothing to run here).
void read_code(Intrinsics& in, const YAML::Node& code, const std::string& where, Function& f) {
  auto v = in.resolve(code, where);
  if (!v) return;
  if (!v->IsScalar())
    fail(where, std::string("only a local path runs locally (found ") +
                    (v->IsMap() && (*v)["ZipFile"] ? "inline code" : "an S3 location") + ")");
  f.code_uri = v->Scalar();
  const std::filesystem::path p = f.code_uri;
  f.code_path = (p.is_absolute() ? p : in.options().base_dir / p).lexically_normal();
  if (f.code_path.filename().empty()) f.code_path = f.code_path.parent_path();  // "src/": the directory
}

}  // namespace

Function read_function(Intrinsics& in, const std::string& id, const YAML::Node& globals) {
  const std::string where = "Resources." + id;
  const std::string type = in.type_of(id);
  const YAML::Node props = in.resources()[id]["Properties"];
  // Globals apply to SAM functions only.
  Properties p{in, where, props, type == "AWS::Serverless::Function" ? globals : YAML::Node()};
  Function f;
  f.logical_id = id;
  f.name = in.ref_resource(id, where);
  auto handler = p.string("Handler");
  if (!handler) fail(where, "the function has no Handler");
  f.handler = *handler;
  f.runtime = p.string("Runtime").value_or("");
  if (type == "AWS::Serverless::Function") {
    if (props && props["InlineCode"])
      fail(where + ".InlineCode", "only a local path runs locally (found inline code): give CodeUri");
    if (auto c = p.get("CodeUri")) read_code(in, *c, p.origin("CodeUri"), f);
  } else if (props && props["Code"]) {
    read_code(in, props["Code"], where + ".Code", f);
  }
  if (auto t = p.string("Timeout")) f.timeout_s = integer(*t, where + ".Timeout", 1, 900);
  if (auto m = p.string("MemorySize")) f.memory_mb = integer(*m, where + ".MemorySize", 128, 10240);
  if (auto r = p.string("ReservedConcurrentExecutions"))
    f.reserved_concurrency = integer(*r, where + ".ReservedConcurrentExecutions", 0, 100000);
  if (p.globals) read_variables(in, p.globals["Environment"], "Globals.Function", f.environment);
  if (props) read_variables(in, props["Environment"], where + ".Properties", f.environment);
  return f;
}

std::string function_of_uri(Intrinsics& in, const std::string& uri, const std::string& where) {
  // The function's ARN: inside …/functions/ARN/invocations, or the whole URI.
  std::string arn = uri;
  if (const auto at = uri.find("/functions/"); at != std::string::npos) {
    arn = uri.substr(at + 11);
    if (const auto end = arn.find("/invocations"); end != std::string::npos) arn.resize(end);
  }
  const auto at = arn.find(":function:");
  if (at != std::string::npos) {
    std::string name = arn.substr(at + 10);
    name = name.substr(0, name.find(':'));  // no alias or version locally
    for (const auto& kv : in.resources()) {
      const std::string id = kv.first.Scalar();
      if (is_function_type(in.type_of(id)) && in.exists(id) && in.ref_resource(id, where) == name)
        return id;
    }
  }
  fail(where, "'" + uri + "' does not name a function of the template");
}

}  // namespace integration::sam
