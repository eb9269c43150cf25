#include "auth/lambda_authorizer.hpp"

#include <gtest/gtest.h>

#include "auth/jwt_authorizer.hpp"
#include "test_keys.hpp"

namespace {

namespace json = boost::json;
const std::string secret = "0123456789abcdef0123456789abcdef";
const std::string arn = "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/$connect";

auth::JwtAuthorizer authorizer() {
  auth::VerifierConfig c;
  c.hs256_secret = secret;
  return auth::JwtAuthorizer(c);
}

std::string token() {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  return testkeys::hs256(secret, {{"sub", "user-7"}, {"cognito:username", "zoe"}, {"exp", now + 300}});
}

// A REQUEST authorizer event as API Gateway sends it for $connect (trimmed).
std::string event(json::object query, json::object headers = {}) {
  json::object e{{"type", "REQUEST"}, {"methodArn", arn}, {"headers", headers},
                 {"requestContext", json::object{{"routeKey", "$connect"}, {"eventType", "CONNECT"}}}};
  if (!query.empty()) e["queryStringParameters"] = query;
  return json::serialize(e);
}

TEST(LambdaAuthorizer, AGoodTokenGetsAnAllowPolicyOnTheMethodArnWithTheContext) {
  auto r = auth::lambda_authorize(authorizer(), event({{"token", token()}}));
  ASSERT_FALSE(r.unauthorized);
  auto v = json::parse(r.response).as_object();
  EXPECT_EQ(v.at("principalId"), "user-7");
  const auto& st = v.at("policyDocument").at("Statement").as_array().at(0);
  EXPECT_EQ(st.at("Effect"), "Allow");
  EXPECT_EQ(st.at("Action"), "execute-api:Invoke");
  EXPECT_EQ(st.at("Resource").as_string(), arn);
  EXPECT_EQ(v.at("context").at("name"), "zoe");
  EXPECT_EQ(v.at("context").at("userId"), "user-7");
}

TEST(LambdaAuthorizer, TheBearerHeaderIsAnIdentitySourceToo) {
  auto r = auth::lambda_authorize(authorizer(), event({}, {{"Authorization", "Bearer " + token()}}));
  ASSERT_FALSE(r.unauthorized);
  EXPECT_NE(r.response.find("\"Allow\""), std::string::npos);
}

TEST(LambdaAuthorizer, ABadTokenGetsADenyPolicyWithoutContext) {
  auto r = auth::lambda_authorize(authorizer(), event({{"token", testkeys::hs256("wrong-secret-wrong-secret-wrong!!", {{"sub", "x"}})}}));
  ASSERT_FALSE(r.unauthorized);
  auto v = json::parse(r.response).as_object();
  EXPECT_EQ(v.at("policyDocument").at("Statement").as_array().at(0).at("Effect"), "Deny");
  EXPECT_FALSE(v.contains("context"));
}

TEST(LambdaAuthorizer, NoTokenIsUnauthorized) {
  EXPECT_TRUE(auth::lambda_authorize(authorizer(), event({})).unauthorized);
  EXPECT_TRUE(auth::lambda_authorize(authorizer(), event({{"name", "zoe"}})).unauthorized);
  EXPECT_TRUE(auth::lambda_authorize(authorizer(), "not json").unauthorized);
}

}  // namespace
