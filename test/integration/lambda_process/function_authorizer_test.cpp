// integration::lambda_process::FunctionAuthorizer's pieces: the REQUEST event made of a $connect
// event, and how an authorizer function's answer or failure becomes API Gateway's decision
// (aws-contract.md §1.1, §2.4): Allow on the $connect method ARN, Deny → 403, "Unauthorized" →
// 401, anything malformed or failed → 500.
#include "integration/lambda_process/function_authorizer.hpp"

#include <gtest/gtest.h>

#include <future>

#include <boost/json.hpp>

namespace {

namespace lp = integration::lambda_process;
using Outcome = gateway::AuthDecision::Outcome;

const std::string kArn = "arn:aws:execute-api:us-east-1:123456789012:abc123/Prod/$connect";

gateway::InvokeResult answer(const std::string& body) {
  gateway::InvokeResult r;
  r.response.body = body;
  return r;
}

std::string policy(const std::string& effect, const std::string& resource, const std::string& extra = "") {
  return R"({"principalId":"me","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":")" +
         effect + R"(","Resource":")" + resource + R"("}]})" + extra + "}";
}

TEST(FunctionAuthorizer, AnAllowOnTheMethodArnLetsInWithTheContextAsStrings) {
  const auto d = lp::authorizer_decision(
      answer(policy("Allow", kArn, R"(,"context":{"user":"alice","level":3,"admin":true})")), kArn);
  EXPECT_EQ(d.outcome, Outcome::allow);
  EXPECT_EQ(d.principal_id, "me");
  const std::vector<std::pair<std::string, std::string>> context = {{"user", "alice"}, {"level", "3"}, {"admin", "true"}};
  EXPECT_EQ(d.context, context);
  // Wildcards, as IAM matches them.
  EXPECT_EQ(lp::authorizer_decision(answer(policy("Allow", "arn:aws:execute-api:us-east-1:*:abc123/*")), kArn).outcome,
            Outcome::allow);
  EXPECT_EQ(lp::authorizer_decision(answer(policy("Allow", "*")), kArn).outcome, Outcome::allow);
}

TEST(FunctionAuthorizer, DenyOrNoMatchingStatementIs403) {
  EXPECT_EQ(lp::authorizer_decision(answer(policy("Deny", kArn)), kArn).outcome, Outcome::forbidden);
  // A REST-style resource for another stage does not match the $connect ARN (users hit 403).
  EXPECT_EQ(lp::authorizer_decision(answer(policy("Allow", "arn:aws:execute-api:us-east-1:123456789012:abc123/Dev/*")), kArn)
                .outcome,
            Outcome::forbidden);
  // Deny wins over Allow.
  const std::string both =
      R"({"principalId":"me","policyDocument":{"Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"},)"
      R"({"Action":["execute-api:*"],"Effect":"Deny","Resource":[")" + kArn + R"("]}]}})";
  EXPECT_EQ(lp::authorizer_decision(answer(both), kArn).outcome, Outcome::forbidden);
}

TEST(FunctionAuthorizer, UnauthorizedErrorIs401AndEveryOtherFailure500) {
  gateway::InvokeResult unauthorized;
  unauthorized.status = gateway::InvokeResult::Status::error;
  unauthorized.error_message = R"({"errorType":"Error","errorMessage":"Unauthorized"})";
  EXPECT_EQ(lp::authorizer_decision(unauthorized, kArn).outcome, Outcome::unauthorized);
  gateway::InvokeResult crashed = unauthorized;
  crashed.error_message = R"({"errorType":"Runtime.ExitError","errorMessage":"exit status 3"})";
  EXPECT_EQ(lp::authorizer_decision(crashed, kArn).outcome, Outcome::error);
  gateway::InvokeResult timed_out;
  timed_out.status = gateway::InvokeResult::Status::timeout;
  EXPECT_EQ(lp::authorizer_decision(timed_out, kArn).outcome, Outcome::error);
  EXPECT_EQ(lp::authorizer_decision(answer("not json"), kArn).outcome, Outcome::error);
  EXPECT_EQ(lp::authorizer_decision(answer(R"({"hello":"world"})"), kArn).outcome, Outcome::error);
  EXPECT_EQ(lp::authorizer_decision(answer(policy("Allow", kArn, R"(,"context":{"nested":{"a":1}})")), kArn).outcome,
            Outcome::error);
  // Over API Gateway's 8 KB for an authorizer's answer.
  const std::string big = policy("Allow", kArn, R"(,"context":{"pad":")" + std::string(8192, 'x') + R"("})");
  EXPECT_EQ(lp::authorizer_decision(answer(big), kArn).outcome, Outcome::error);
}

TEST(FunctionAuthorizer, TheRequestEventIsTheConnectEventAsAwsSendsIt) {
  apigw::Event e;
  e.request_context.route_key = "$connect";
  e.request_context.event_type = apigw::EventType::connect;
  e.request_context.connection_id = "cid=";
  e.request_context.stage = "Prod";
  e.request_context.api_id = "abc123";
  e.headers = apigw::HeaderMap{{"Host", "localhost"}};
  e.query_string_parameters = apigw::HeaderMap{{"token", "t1"}};
  const auto v = boost::json::parse(lp::request_authorizer_event(e, kArn)).as_object();
  EXPECT_EQ(v.at("type"), "REQUEST");
  EXPECT_EQ(v.at("methodArn").as_string(), kArn);
  EXPECT_EQ(v.at("queryStringParameters").at("token"), "t1");
  EXPECT_EQ(v.at("headers").at("Host"), "localhost");
  EXPECT_TRUE(v.at("stageVariables").as_object().empty());
  EXPECT_EQ(v.at("requestContext").at("eventType"), "CONNECT");
  EXPECT_EQ(v.at("requestContext").at("connectionId"), "cid=");
  EXPECT_FALSE(v.contains("isBase64Encoded"));
}

TEST(FunctionAuthorizer, EveryIdentitySourceMustBePresentBeforeTheFunctionRuns) {
  // No functions at all: an invocation that gets past the identity check fails (500), one
  // stopped by it is 401.
  lp::LambdaProcess none({}, {}, {});
  const lp::FunctionAuthorizer authorizer(none, "Auth", "auth",
                                          {"route.request.header.Auth", "route.request.querystring.token"},
                                          "us-east-1", "123456789012");
  auto decide = [&](apigw::HeaderMap headers, apigw::HeaderMap query) {
    apigw::Event e;
    e.request_context.api_id = "abc123";
    e.request_context.stage = "Prod";
    e.headers = std::move(headers);
    if (!query.empty()) e.query_string_parameters = std::move(query);
    std::promise<gateway::AuthDecision> p;
    authorizer.authorize_async({}, e, [&](gateway::AuthDecision d) { p.set_value(std::move(d)); });
    return p.get_future().get().outcome;
  };
  EXPECT_EQ(decide({}, {}), Outcome::unauthorized);
  EXPECT_EQ(decide({{"Auth", "x"}}, {}), Outcome::unauthorized);
  EXPECT_EQ(decide({{"auth", "x"}}, {{"token", ""}}), Outcome::unauthorized);
  EXPECT_EQ(decide({}, {{"token", "t"}}), Outcome::unauthorized);
  EXPECT_EQ(decide({{"auth", "x"}}, {{"token", "t"}}), Outcome::error);  // header names: any case
}

TEST(FunctionAuthorizer, ArnWildcards) {
  EXPECT_TRUE(lp::arn_matches("a*c", "abbbc"));
  EXPECT_TRUE(lp::arn_matches("a?c", "abc"));
  EXPECT_FALSE(lp::arn_matches("a?c", "abbc"));
  EXPECT_TRUE(lp::arn_matches("*", ""));
  EXPECT_FALSE(lp::arn_matches("abc", "abcd"));
}

}  // namespace
