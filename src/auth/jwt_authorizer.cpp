#include "auth/jwt_authorizer.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/url/parse.hpp>

namespace auth {

std::string token_of(const gateway::Handshake& h) {
  for (const auto& [name, value] : h.headers) {
    if (!boost::beast::iequals(name, "Authorization")) continue;
    std::string_view v = value;
    constexpr std::string_view scheme = "bearer ";
    if (v.size() > scheme.size() && boost::beast::iequals(v.substr(0, scheme.size()), scheme)) {
      v.remove_prefix(scheme.size());
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
      return std::string(v);
    }
  }
  return query_parameter(h, "token");
}

std::string query_parameter(const gateway::Handshake& h, std::string_view key) {
  auto url = boost::urls::parse_origin_form(h.target);
  if (!url) return {};
  for (const auto& p : url->params())
    if (p.key == key && p.has_value) return std::string(p.value);
  return {};
}

gateway::AuthDecision JwtAuthorizer::authorize(const gateway::Handshake& handshake) const {
  gateway::AuthDecision d;
  const std::string token = token_of(handshake);
  if (token.empty()) {
    d.outcome = gateway::AuthDecision::Outcome::unauthorized;
    d.reason = "no token";
    return d;
  }
  auto claims = verifier_.verify(token);
  if (!claims) {
    d.outcome = gateway::AuthDecision::Outcome::forbidden;
    d.reason = claims.error().message();
    return d;
  }
  if (claims->sub.empty()) {
    d.outcome = gateway::AuthDecision::Outcome::forbidden;
    d.reason = "token has no sub";
    return d;
  }
  d.outcome = gateway::AuthDecision::Outcome::allow;
  d.principal_id = claims->sub;
  d.context.emplace_back("userId", claims->sub);
  d.context.emplace_back("name", claims->name);
  if (!claims->iss.empty()) d.context.emplace_back("iss", claims->iss);
  if (!claims->token_use.empty()) d.context.emplace_back("tokenUse", claims->token_use);
  if (claims->exp) d.context.emplace_back("exp", std::to_string(*claims->exp));
  return d;
}

std::string JwtAuthorizer::describe() const {
  const auto& c = verifier_.config();
  std::string algs;
  if (!c.hs256_secret.empty()) algs = "HS256";
  if (!c.jwks.empty())
    algs += (algs.empty() ? "" : ", ") + std::string("RS256 with ") + std::to_string(c.jwks.size()) +
            (c.jwks.size() == 1 ? " key" : " keys");
  std::string s = "jwt (" + algs + ")";
  if (!c.issuer.empty()) s += ", issuer " + c.issuer;
  if (!c.audience.empty()) s += ", audience " + c.audience;
  return s;
}

}  // namespace auth
