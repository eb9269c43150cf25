#pragma once
// The same authorizer as a Lambda REQUEST authorizer for API Gateway on AWS (aws-contract.md
// §2.4): the REQUEST event in, an IAM policy out. Identity sources: the Authorization header or
// the `token` query parameter, as locally.
#include <string>
#include <string_view>

#include "gateway/authorizer.hpp"

namespace auth {

struct LambdaAuthorizerResult {
  // No token: the function fails with "Unauthorized", API Gateway's convention for a 401.
  bool unauthorized = false;
  // Otherwise the response: principalId, policyDocument (Allow or Deny on the event's
  // methodArn) and, when allowed, the context (string values).
  std::string response;
};

// `event` is the REQUEST authorizer event JSON; malformed input is treated as no token.
LambdaAuthorizerResult lambda_authorize(const gateway::Authorizer& authorizer, std::string_view event);

}  // namespace auth
