#include "auth/lambda_authorizer.hpp"

#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace auth {
namespace json = boost::json;

namespace {

std::string string_at(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().get_string()) : std::string();
}

json::object policy(std::string_view effect, const std::string& resource) {
  return {{"Version", "2012-10-17"},
          {"Statement", json::array{json::object{
                            {"Action", "execute-api:Invoke"}, {"Effect", effect}, {"Resource", resource}}}}};
}

}  // namespace

LambdaAuthorizerResult lambda_authorize(const gateway::Authorizer& authorizer, std::string_view event) {
  boost::system::error_code ec;
  auto v = json::parse(event, ec);
  if (ec || !v.is_object()) return {true, {}};
  const auto& e = v.get_object();

  // The handshake as the gateway's authorizer takes it: headers, and the token in the query.
  gateway::Handshake h;
  if (auto it = e.find("headers"); it != e.end() && it->value().is_object())
    for (const auto& [name, value] : it->value().get_object())
      if (value.is_string()) h.headers.emplace_back(std::string(name), std::string(value.get_string()));
  h.target = "/";
  if (auto it = e.find("queryStringParameters"); it != e.end() && it->value().is_object()) {
    const std::string token = string_at(it->value().get_object(), "token");
    if (!token.empty()) h.target += "?token=" + boost::urls::encode(token, boost::urls::unreserved_chars);
  }

  const gateway::AuthDecision d = authorizer.authorize(h);
  if (d.outcome == gateway::AuthDecision::Outcome::unauthorized) return {true, {}};
  const std::string resource = string_at(e, "methodArn");
  json::object out;
  if (d.outcome == gateway::AuthDecision::Outcome::allow) {
    out["principalId"] = d.principal_id;
    out["policyDocument"] = policy("Allow", resource);
    json::object context;
    for (const auto& [key, value] : d.context) context[key] = value;
    out["context"] = std::move(context);
  } else {
    out["principalId"] = "unknown";
    out["policyDocument"] = policy("Deny", resource);
  }
  return {false, json::serialize(out)};
}

}  // namespace auth
