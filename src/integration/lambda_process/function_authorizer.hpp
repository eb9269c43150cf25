#pragma once
// A template's AWS::ApiGatewayV2::Authorizer of type REQUEST, run as API Gateway runs it before
// $connect (aws-contract.md §1.1, §2.4): each identity source must be present (else 401, the
// function is not called); the function gets the REQUEST authorizer event (type, methodArn,
// headers, multiValueHeaders, queryStringParameters, multiValueQueryStringParameters,
// stageVariables, requestContext as for $connect) and answers principalId, policyDocument and
// an optional context. An Allow on the $connect method ARN lets the connection in, its context
// then reaching every event in requestContext.authorizer; a Deny (or no statement matching)
// answers 403; a function error "Unauthorized" answers 401; any other failure (crash, timeout,
// no policy, an answer over 8 KB, a context value that is not a string, number or boolean) 500.
#include <string>
#include <string_view>
#include <vector>

#include "gateway/authorizer.hpp"
#include "gateway/integration.hpp"
#include "integration/lambda_process/lambda_process.hpp"

namespace integration::lambda_process {

class FunctionAuthorizer final : public gateway::Authorizer {
 public:
  // identity_sources: route.request.header.NAME / route.request.querystring.NAME.
  FunctionAuthorizer(LambdaProcess& functions, std::string function, std::string name,
                     std::vector<std::string> identity_sources, std::string region,
                     std::string account_id);

  gateway::AuthDecision authorize(const gateway::Handshake& handshake) const override;
  bool asynchronous() const override { return true; }
  void authorize_async(const gateway::Handshake& handshake, const apigw::Event& connect_event,
                       std::function<void(gateway::AuthDecision)> done) const override;
  std::string describe() const override;

 private:
  LambdaProcess& functions_;
  std::string function_, name_;
  std::vector<std::string> identity_sources_;
  std::string region_, account_id_;
};

// The REQUEST authorizer event for a $connect event (exposed for tests).
std::string request_authorizer_event(const apigw::Event& connect_event, const std::string& method_arn);
// The decision an authorizer function's answer (or failure) stands for (exposed for tests).
gateway::AuthDecision authorizer_decision(const gateway::InvokeResult& result,
                                          const std::string& method_arn);
// IAM's wildcard match: '*' any run of characters, '?' any one.
bool arn_matches(std::string_view pattern, std::string_view arn);

}  // namespace integration::lambda_process
