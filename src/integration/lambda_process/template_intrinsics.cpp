#include "integration/lambda_process/template_intrinsics.hpp"

// The intrinsic functions and conditions; the names they refer to are template_references.cpp's.
namespace integration::sam {
namespace {

bool plain_tag(const YAML::Node& n) {
  const auto& t = n.Tag();
  return t.empty() || t == "?" || t == "!" || t.starts_with("tag:yaml.org");
}

// The function a short tag or a one-key long-form mapping calls ("Ref", "Fn::Sub", ...), and
// its argument; empty when `n` is plain data.
std::pair<std::string, YAML::Node> call_of(const YAML::Node& n) {
  if (!plain_tag(n)) {
    std::string t = n.Tag().substr(1);
    if (t == "Ref" || t == "Condition") return {t, n};
    return {"Fn::" + t, n};
  }
  if (n.IsMap() && n.size() == 1) {
    const std::string key = n.begin()->first.Scalar();
    if (key == "Ref" || key.starts_with("Fn::")) return {key, n.begin()->second};
  }
  return {"", YAML::Node()};
}

std::string show(const std::string& fn) { return fn == "Ref" ? "Ref" : fn; }

const std::set<std::string> kUnsupported = {"Fn::GetAZs", "Fn::ImportValue", "Fn::Cidr",
                                            "Fn::Transform", "Fn::Base64", "Fn::Length",
                                            "Fn::ToJsonString", "Fn::ForEach"};

}  // namespace

Intrinsics::Intrinsics(const YAML::Node& root, ParseOptions options)
    : options_(std::move(options)), resources_(root["Resources"]), conditions_(root["Conditions"]),
      mappings_(root["Mappings"]) {
  read_parameters(root["Parameters"]);
}

std::string Intrinsics::sub(const std::string& text, const std::map<std::string, YAML::Node>& vars,
                            const std::string& where) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto open = text.find("${", i);
    if (open == std::string::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, open - i);
    const auto close = text.find('}', open);
    if (close == std::string::npos) fail(where, "Fn::Sub: '${' without '}' in \"" + text + "\"");
    const std::string name = text.substr(open + 2, close - open - 2);
    i = close + 1;
    if (name.starts_with("!")) {  // ${!Literal} is the text ${Literal}
      out += "${" + name.substr(1) + "}";
      continue;
    }
    if (auto v = vars.find(name); v != vars.end()) {
      out += resolve_string(v->second, where + " (Fn::Sub variable " + name + ")");
      continue;
    }
    const auto dot = name.find('.');
    if (dot != std::string::npos && !name.starts_with("AWS::")) {
      out += get_att(name.substr(0, dot), name.substr(dot + 1), where);
      continue;
    }
    const YAML::Node v = ref(name, where);
    if (!v.IsScalar()) fail(where, "Fn::Sub: ${" + name + "} is a list, not a string");
    out += v.Scalar();
  }
  return out;
}

std::vector<YAML::Node> Intrinsics::list(const YAML::Node& n, const std::string& where) {
  auto v = resolve(n, where);
  if (!v || !v->IsSequence()) fail(where, "expected a list");
  return {v->begin(), v->end()};
}

std::optional<YAML::Node> Intrinsics::function(const std::string& fn, const YAML::Node& arg,
                                               const std::string& where) {
  auto args = [&](std::size_t n) {
    if (!arg.IsSequence() || arg.size() != n)
      fail(where, show(fn) + " takes a list of " + std::to_string(n) + " items");
    std::vector<YAML::Node> items;
    for (const auto& a : arg) items.push_back(a);
    return items;
  };
  if (fn == "Ref") {
    if (!arg.IsScalar()) fail(where, "Ref takes a name");
    if (arg.Scalar() == "AWS::NoValue") return std::nullopt;
    return ref(arg.Scalar(), where);
  }
  if (fn == "Fn::Sub") {
    if (arg.IsScalar()) return YAML::Node(sub(arg.Scalar(), {}, where));
    if (!arg.IsSequence() || arg.size() != 2 || !arg[0].IsScalar() || !arg[1].IsMap())
      fail(where, "Fn::Sub takes a string or [string, {variables}]");
    std::map<std::string, YAML::Node> vars;
    for (const auto& kv : arg[1]) vars[kv.first.Scalar()] = kv.second;
    return YAML::Node(sub(arg[0].Scalar(), vars, where));
  }
  if (fn == "Fn::Join") {
    auto a = args(2);
    const std::string delimiter = resolve_string(a[0], where);
    std::string out;
    bool first = true;
    for (const auto& item : list(a[1], where)) {
      if (!item.IsScalar()) fail(where, "Fn::Join: every item must be a string");
      out += (first ? "" : delimiter) + item.Scalar();
      first = false;
    }
    return YAML::Node(out);
  }
  if (fn == "Fn::GetAtt") {
    if (arg.IsScalar()) {
      const auto dot = arg.Scalar().find('.');
      if (dot == std::string::npos) fail(where, "Fn::GetAtt takes Resource.Attribute, not '" + arg.Scalar() + "'");
      return YAML::Node(get_att(arg.Scalar().substr(0, dot), arg.Scalar().substr(dot + 1), where));
    }
    auto a = args(2);
    return YAML::Node(get_att(resolve_string(a[0], where), resolve_string(a[1], where), where));
  }
  if (fn == "Fn::Select") {
    auto a = args(2);
    const std::string index = resolve_string(a[0], where);
    const auto items = list(a[1], where);
    std::size_t i = 0;
    if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos ||
        (i = std::stoul(index)) >= items.size())
      fail(where, "Fn::Select: index " + index + " is not within the list's " +
                      std::to_string(items.size()) + " items");
    return items[i];
  }
  if (fn == "Fn::Split") {
    auto a = args(2);
    const std::string delimiter = resolve_string(a[0], where);
    const std::string text = resolve_string(a[1], where);
    if (delimiter.empty()) fail(where, "Fn::Split: the delimiter is empty");
    YAML::Node out(YAML::NodeType::Sequence);
    std::size_t start = 0;
    for (;;) {
      const auto at = text.find(delimiter, start);
      out.push_back(text.substr(start, at - start));
      if (at == std::string::npos) break;
      start = at + delimiter.size();
    }
    return out;
  }
  if (fn == "Fn::FindInMap") {
    auto a = args(3);
    const std::string map = resolve_string(a[0], where), top = resolve_string(a[1], where),
                      key = resolve_string(a[2], where);
    if (!mappings_ || !mappings_[map] || !mappings_[map][top] || !mappings_[map][top][key])
      fail(where, "Fn::FindInMap: Mappings." + map + "." + top + "." + key + " is not in the template");
    return resolve(mappings_[map][top][key], "Mappings." + map + "." + top + "." + key);
  }
  if (fn == "Fn::If") {
    auto a = args(3);
    if (!a[0].IsScalar()) fail(where, "Fn::If: the first item names a condition");
    return resolve(condition(a[0].Scalar(), where) ? a[1] : a[2], where);
  }
  if (fn == "Fn::Equals" || fn == "Fn::Not" || fn == "Fn::And" || fn == "Fn::Or" || fn == "Condition") {
    return YAML::Node(evaluate_condition(arg, where) ? "true" : "false");
  }
  if (kUnsupported.contains(fn)) fail(where, fn + " is not supported locally");
  fail(where, "unknown intrinsic function " + fn);
}

bool Intrinsics::evaluate_condition(const YAML::Node& n, const std::string& where) {
  auto [fn, arg] = call_of(n);
  if (fn.empty() && n.IsMap() && n.size() == 1 && n.begin()->first.Scalar() == "Condition") {
    fn = "Condition";
    arg = n.begin()->second;
  }
  if (fn == "Condition") {
    if (!arg.IsScalar()) fail(where, "Condition takes a condition's name");
    return condition(arg.Scalar(), where);
  }
  if (fn == "Fn::Equals") {
    if (!arg.IsSequence() || arg.size() != 2) fail(where, "Fn::Equals takes a list of 2 items");
    auto a = resolve(arg[0], where), b = resolve(arg[1], where);
    if (!a || !b) return !a && !b;
    return YAML::Dump(*a) == YAML::Dump(*b);
  }
  if (fn == "Fn::Not") {
    if (!arg.IsSequence() || arg.size() != 1) fail(where, "Fn::Not takes a list of 1 condition");
    return !evaluate_condition(arg[0], where);
  }
  if (fn == "Fn::And" || fn == "Fn::Or") {
    if (!arg.IsSequence() || arg.size() < 2 || arg.size() > 10)
      fail(where, fn + " takes a list of 2 to 10 conditions");
    const bool is_and = fn == "Fn::And";
    for (const auto& c : arg)
      if (evaluate_condition(c, where) != is_and) return !is_and;
    return is_and;
  }
  fail(where, "expected a condition (Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition)");
}

bool Intrinsics::condition(const std::string& name, const std::string& where) {
  if (auto v = condition_values_.find(name); v != condition_values_.end()) return v->second;
  if (!conditions_ || !conditions_.IsMap() || !conditions_[name])
    fail(where, "no condition " + name + " in Conditions");
  if (!evaluating_.insert(name).second) fail("Conditions." + name, "refers to itself");
  const bool v = evaluate_condition(conditions_[name], "Conditions." + name);
  evaluating_.erase(name);
  condition_values_[name] = v;
  return v;
}

std::optional<YAML::Node> Intrinsics::resolve(const YAML::Node& n, const std::string& where) {
  if (!n) return std::nullopt;
  auto [fn, arg] = call_of(n);
  if (!fn.empty()) {
    // A short tag's argument is the node itself: read it without its tag.
    return function(fn, arg, where);
  }
  if (!plain_tag(n)) fail(where, "unknown tag " + n.Tag());
  if (n.IsScalar() || n.IsNull()) return YAML::Node(n.IsNull() ? std::string() : n.Scalar());
  if (n.IsSequence()) {
    YAML::Node out(YAML::NodeType::Sequence);
    for (std::size_t i = 0; i < n.size(); ++i)
      if (auto v = resolve(n[i], where + "[" + std::to_string(i) + "]")) out.push_back(*v);
    return out;
  }
  YAML::Node out(YAML::NodeType::Map);
  for (const auto& kv : n)
    if (auto v = resolve(kv.second, where + "." + kv.first.Scalar())) out[kv.first.Scalar()] = *v;
  return out;
}

std::string Intrinsics::resolve_string(const YAML::Node& n, const std::string& where) {
  auto v = resolve(n, where);
  if (!v) fail(where, "AWS::NoValue where a value is needed");
  if (!v->IsScalar()) fail(where, "expected a string");
  return v->Scalar();
}

}  // namespace integration::sam
