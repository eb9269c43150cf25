#pragma once
// The $connect authorizer for JSON Web Tokens: the token comes from `Authorization: Bearer ...`
// or the `token` query parameter (API Gateway identity sources route.request.header.Authorization
// and route.request.querystring.token). No token: unauthorized (401). A token that does not
// verify: forbidden (403). A good one: principalId = sub, and the context keys userId, name,
// iss, tokenUse, exp.
#include "auth/jwt.hpp"
#include "gateway/authorizer.hpp"

namespace auth {

class JwtAuthorizer final : public gateway::Authorizer {
 public:
  explicit JwtAuthorizer(VerifierConfig config) : verifier_(std::move(config)) {}
  gateway::AuthDecision authorize(const gateway::Handshake& handshake) const override;
  std::string describe() const override;

 private:
  Verifier verifier_;
};

// The value of query parameter `key` in the handshake's target (percent-decoded); empty when
// absent.
std::string query_parameter(const gateway::Handshake& handshake, std::string_view key);

// The token a handshake carries: the Bearer credentials of Authorization when that header is
// there, else the `token` query parameter (percent-decoded); empty when neither.
std::string token_of(const gateway::Handshake& handshake);

}  // namespace auth
