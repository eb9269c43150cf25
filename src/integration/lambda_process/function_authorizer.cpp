#include "integration/lambda_process/function_authorizer.hpp"

#include <cctype>

#include <boost/json.hpp>

#include "apigw/event_codec.hpp"

namespace integration::lambda_process {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxAnswerBytes = 8 * 1024;

gateway::AuthDecision decision(gateway::AuthDecision::Outcome outcome, std::string reason) {
  gateway::AuthDecision d;
  d.outcome = outcome;
  d.reason = std::move(reason);
  return d;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// The identity source's value in the REQUEST event; empty when missing.
std::string identity_value(const json::object& event, const std::string& source) {
  const bool header = source.starts_with("route.request.header.");
  const std::string name = source.substr(header ? 21 : 26);
  const auto* map = event.if_contains(header ? "headers" : "queryStringParameters");
  if (!map || !map->is_object()) return {};
  for (const auto& [key, value] : map->as_object())
    if ((header ? equals_ignoring_case(key, name) : key == name) && value.is_string())
      return std::string(value.as_string());
  return {};
}

// Statement entries as a list (IAM allows one object or a list; the same for Action/Resource).
std::vector<const json::value*> items(const json::value* v) {
  std::vector<const json::value*> out;
  if (!v) return out;
  if (v->is_array())
    for (const auto& i : v->as_array()) out.push_back(&i);
  else
    out.push_back(v);
  return out;
}

bool action_matches(const json::value* action) {
  for (const auto* a : items(action))
    if (a->is_string() && arn_matches(a->as_string(), "execute-api:Invoke")) return true;
  return false;
}

}  // namespace

bool arn_matches(std::string_view pattern, std::string_view arn) {
  std::size_t p = 0, a = 0, star = std::string_view::npos, mark = 0;
  while (a < arn.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == arn[a])) {
      ++p;
      ++a;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = a;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      a = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string request_authorizer_event(const apigw::Event& connect_event, const std::string& method_arn) {
  json::value v = json::parse(apigw::encode(connect_event));
  auto& o = v.as_object();
  o.erase("isBase64Encoded");
  o.erase("body");
  json::object event{{"type", "REQUEST"}, {"methodArn", method_arn}};
  for (const char* key : {"headers", "multiValueHeaders", "queryStringParameters",
                          "multiValueQueryStringParameters"})
    if (auto* x = o.if_contains(key)) event[key] = *x;
  event["stageVariables"] = json::object{};
  event["requestContext"] = o["requestContext"];
  return json::serialize(event);
}

gateway::AuthDecision authorizer_decision(const gateway::InvokeResult& r, const std::string& method_arn) {
  using Outcome = gateway::AuthDecision::Outcome;
  if (r.status == gateway::InvokeResult::Status::timeout)
    return decision(Outcome::error, "the authorizer function timed out");
  if (r.status == gateway::InvokeResult::Status::error) {
    // API Gateway's convention: a function that fails with "Unauthorized" means 401.
    boost::system::error_code ec;
    auto e = json::parse(r.error_message, ec);
    if (!ec && e.is_object())
      if (auto* m = e.as_object().if_contains("errorMessage"); m && m->is_string() && m->as_string() == "Unauthorized")
        return decision(Outcome::unauthorized, "the authorizer answered Unauthorized");
    return decision(Outcome::error, "the authorizer function failed: " + r.error_message);
  }
  // API Gateway's quota for an authorizer's answer (aws-contract.md §2.4, §4).
  if (r.response.body && r.response.body->size() > kMaxAnswerBytes)
    return decision(Outcome::error, "the authorizer's answer is larger than 8 KB");
  boost::system::error_code ec;
  auto v = json::parse(r.response.body.value_or(""), ec);
  if (ec || !v.is_object()) return decision(Outcome::error, "the authorizer's answer is not a JSON object");
  const auto& o = v.as_object();
  const auto* principal = o.if_contains("principalId");
  const auto* policy = o.if_contains("policyDocument");
  if (!principal || !principal->is_string() || !policy || !policy->is_object())
    return decision(Outcome::error, "the authorizer's answer has no principalId or policyDocument");
  bool allowed = false, denied = false;
  for (const auto* s : items(policy->as_object().if_contains("Statement"))) {
    if (!s->is_object()) return decision(Outcome::error, "a policy Statement is not an object");
    const auto& st = s->as_object();
    const auto* effect = st.if_contains("Effect");
    if (!action_matches(st.if_contains("Action"))) continue;
    bool matches = false;
    for (const auto* res : items(st.if_contains("Resource")))
      matches = matches || (res->is_string() && arn_matches(res->as_string(), method_arn));
    if (!matches || !effect || !effect->is_string()) continue;
    if (effect->as_string() == "Deny") denied = true;
    if (effect->as_string() == "Allow") allowed = true;
  }
  if (denied || !allowed)
    return decision(Outcome::forbidden, denied ? "the policy denies " + method_arn
                                               : "no statement of the policy allows " + method_arn);
  gateway::AuthDecision d = decision(Outcome::allow, "");
  d.principal_id = std::string(principal->as_string());
  if (const auto* context = o.if_contains("context"); context && !context->is_null()) {
    if (!context->is_object()) return decision(Outcome::error, "the authorizer's context is not an object");
    for (const auto& [key, value] : context->as_object()) {
      // AWS hands only string, number and boolean values on; anything else fails the call.
      if (value.is_string()) d.context.emplace_back(key, std::string(value.as_string()));
      else if (value.is_bool()) d.context.emplace_back(key, value.as_bool() ? "true" : "false");
      else if (value.is_number()) d.context.emplace_back(key, json::serialize(value));
      else return decision(Outcome::error, "the authorizer's context value " + std::string(key) +
                                               " is not a string, number or boolean");
    }
  }
  return d;
}

FunctionAuthorizer::FunctionAuthorizer(LambdaProcess& functions, std::string function, std::string name,
                                       std::vector<std::string> identity_sources, std::string region,
                                       std::string account_id)
    : functions_(functions), function_(std::move(function)), name_(std::move(name)),
      identity_sources_(std::move(identity_sources)), region_(std::move(region)),
      account_id_(std::move(account_id)) {}

gateway::AuthDecision FunctionAuthorizer::authorize(const gateway::Handshake&) const {
  // Never called: asynchronous() is true.
  return decision(gateway::AuthDecision::Outcome::error, "a Lambda authorizer answers asynchronously");
}

void FunctionAuthorizer::authorize_async(const gateway::Handshake&, const apigw::Event& connect_event,
                                         std::function<void(gateway::AuthDecision)> done) const {
  const auto& c = connect_event.request_context;
  const std::string method_arn =
      "arn:aws:execute-api:" + region_ + ":" + account_id_ + ":" + c.api_id + "/" + c.stage + "/$connect";
  std::string event = request_authorizer_event(connect_event, method_arn);
  const auto parsed = json::parse(event).as_object();
  for (const auto& source : identity_sources_)
    if (identity_value(parsed, source).empty()) {
      done(decision(gateway::AuthDecision::Outcome::unauthorized, "no " + source));
      return;
    }
  functions_.invoke_function(function_, std::move(event),
                             [done = std::move(done), method_arn](gateway::InvokeResult r) {
                               done(authorizer_decision(r, method_arn));
                             });
}

std::string FunctionAuthorizer::describe() const {
  return "Lambda REQUEST authorizer " + (name_.empty() ? function_ : name_) + " (function " + function_ + ")";
}

}  // namespace integration::lambda_process
