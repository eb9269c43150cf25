// integration::sam: the real deploy/template.yaml (every route reaches a function whose Handler
// the bootstrap serves for that route) and the errors a broken template gets.
#include "integration/lambda_process/sam_template.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "handlers/router.hpp"

namespace {

using integration::sam::load_template;
using integration::sam::parse_template;
using integration::sam::TemplateError;

const char* const kRepoTemplate = PARLEY_SOURCE_DIR "/deploy/template.yaml";

// The bootstrap's naming (app::route_key_for_handler): connect serves $connect, ...
std::string route_of_handler(const std::string& handler) {
  if (handler == "connect" || handler == "disconnect" || handler == "default") return "$" + handler;
  return handler;
}

TEST(SamTemplate, EveryRouteOfTheRepositoryTemplateReachesItsFunction) {
  const auto t = load_template(kRepoTemplate);
  EXPECT_EQ(t.route_selection_expression, "$request.body.action");
  std::set<std::string> keys;
  for (const auto& r : t.routes) {
    keys.insert(r.route_key);
    const auto* f = t.function_for(r.route_key);
    ASSERT_NE(f, nullptr) << r.route_key;
    EXPECT_EQ(route_of_handler(f->handler), r.route_key) << f->logical_id;
    EXPECT_EQ(f->timeout_s, 30) << f->logical_id;
    EXPECT_EQ(f->memory_mb, 256) << f->logical_id;
    ASSERT_TRUE(f->environment.contains("WEBSOCKET_TABLE")) << f->logical_id;
    EXPECT_EQ(f->environment.at("WEBSOCKET_TABLE").ref, "ConnectionsTable");
    EXPECT_EQ(t.resource_types.at(f->environment.at("MESSAGES_TABLE").ref), "AWS::DynamoDB::Table");
    // Parley's own tables, as --table-prefix names them.
    EXPECT_EQ(f->environment.at("WEBSOCKET_TABLE").literal, "parley-connections");
    EXPECT_EQ(f->environment.at("CLIENTMSGS_TABLE").literal, "parley-clientmsgs");
    EXPECT_EQ(f->runtime, "provided.al2023");
    EXPECT_EQ(f->code_uri, "build/parley-lambda.zip");
    EXPECT_EQ(f->code_path, std::filesystem::path(PARLEY_SOURCE_DIR "/deploy/build/parley-lambda.zip"));
    EXPECT_FALSE(r.two_way);
    EXPECT_EQ(r.authorizer, "");  // UseAuthorizer is false: no JwtSecret, no Jwks
  }
  // The same routes as the handlers' router: the local gateway and AWS cannot drift.
  const auto router_keys = handlers::chat_routes().route_keys();
  EXPECT_EQ(keys, std::set<std::string>(router_keys.begin(), router_keys.end()));
  EXPECT_EQ(t.functions.size(), t.routes.size());
  EXPECT_TRUE(t.authorizers.empty());
  EXPECT_EQ(t.stage_name, "prod");
  ASSERT_EQ(t.tables.size(), 5u);
  EXPECT_EQ(t.tables[1].name, "parley-members");
  EXPECT_EQ(t.tables[1].ttl_attribute, "ttl");
  EXPECT_NE(t.tables[1].create_request.find(R"("IndexName":"connection-index")"), std::string::npos);
}

TEST(SamTemplate, TheRepositoryTemplatesAuthorizerComesWithAJwtSecret) {
  integration::sam::ParseOptions o;
  o.parameter_overrides = {{"JwtSecret", std::string(32, 's')}, {"StageName", "dev"}};
  const auto t = load_template(kRepoTemplate, o);
  ASSERT_EQ(t.routes.front().route_key, "$connect");
  EXPECT_EQ(t.routes.front().authorizer, "Authorizer");
  const auto& a = t.authorizers.at("Authorizer");
  EXPECT_EQ(a.function, "AuthorizeFunction");
  EXPECT_EQ(a.identity_sources, std::vector<std::string>{"route.request.querystring.token"});
  EXPECT_EQ(t.functions.at("AuthorizeFunction").environment.at("PARLEY_JWT_SECRET").literal, std::string(32, 's'));
  EXPECT_EQ(t.stage_name, "dev");
}

const char* const kSmall = R"(
Parameters:
  Greeting: {Type: String, Default: hi}
Globals:
  Function:
    Timeout: 10
    MemorySize: 512
    Environment:
      Variables:
        SHARED: one
        TABLE: !Ref Things
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {ProtocolType: WEBSOCKET, RouteSelectionExpression: "$request.body.op"}
  Things:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
  Fast:
    Type: AWS::Serverless::Function
    Properties:
      Handler: fast
      Timeout: 2
      ReservedConcurrentExecutions: 3
      Environment:
        Variables: {SHARED: two, OWN: "7"}
  Slow:
    Type: AWS::Serverless::Function
    Properties: {Handler: slow}
  FastIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fast.Arn}/invocations"
  SlowIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Slow.Arn}
  R1:
    Type: AWS::ApiGatewayV2::Route
    Properties: {RouteKey: "$default", Target: !Sub "integrations/${FastIntegration}"}
  R2:
    Type: AWS::ApiGatewayV2::Route
    Properties: {RouteKey: go, Target: integrations/SlowIntegration}
)";

TEST(SamTemplate, GlobalsAreMergedUnderTheFunctionsOwnSettings) {
  const auto t = parse_template(kSmall);
  EXPECT_EQ(t.route_selection_expression, "$request.body.op");
  ASSERT_EQ(t.routes.size(), 2u);
  const auto* fast = t.function_for("$default");
  ASSERT_NE(fast, nullptr);
  EXPECT_EQ(fast->handler, "fast");
  EXPECT_EQ(fast->timeout_s, 2);
  EXPECT_EQ(fast->memory_mb, 512);
  EXPECT_EQ(fast->reserved_concurrency, 3);
  EXPECT_EQ(fast->environment.at("SHARED").literal, "two");
  EXPECT_EQ(fast->environment.at("OWN").literal, "7");
  EXPECT_EQ(fast->environment.at("TABLE").ref, "Things");
  const auto* slow = t.function_for("go");
  ASSERT_NE(slow, nullptr);
  EXPECT_EQ(slow->handler, "slow");
  EXPECT_EQ(slow->timeout_s, 10);
  EXPECT_FALSE(slow->reserved_concurrency.has_value());
  EXPECT_EQ(slow->environment.at("SHARED").literal, "one");
  EXPECT_EQ(t.parameter_defaults.at("Greeting"), "hi");
  EXPECT_EQ(fast->environment.at("TABLE").literal, "parley-things");  // generated: no TableName
  EXPECT_EQ(t.function_for("nope"), nullptr);
}

// parse_template's error for `text`, or "" when it parsed.
std::string error_of(const std::string& text) {
  try {
    parse_template(text);
  } catch (const TemplateError& e) {
    return e.what();
  }
  return "";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) return "<pattern not found: " + from + ">";
  return text.replace(at, from.size(), to);
}

TEST(SamTemplate, BrokenTemplatesSayWhatIsWrong) {
  EXPECT_NE(error_of("Resources: [unclosed").find("not valid YAML"), std::string::npos);
  EXPECT_NE(error_of("just text").find("mapping"), std::string::npos);
  EXPECT_NE(error_of("Resources: {}").find("WEBSOCKET"), std::string::npos);
  EXPECT_NE(error_of(replaced(kSmall, "Target: integrations/SlowIntegration", "Target: integrations/Nope"))
                .find("Resources.R2.Properties.Target"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(kSmall, ", Target: integrations/SlowIntegration", "")).find("no Target"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(kSmall, "${Fast.Arn}", "${Things.Arn}")).find("does not name a function"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(kSmall, "Timeout: 2", "Timeout: soon")).find("Resources.Fast.Timeout"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(kSmall, "Timeout: 2", "Timeout: 901")).find("between 1 and 900"),
            std::string::npos);
  EXPECT_EQ(error_of(replaced(kSmall, "OWN: \"7\"", "OWN: [a, b]")),
            "Resources.Fast.Properties.Environment.Variables.OWN: a variable's value must evaluate to a string");
  EXPECT_NE(error_of(replaced(kSmall, "RouteKey: go", "RouteKey: \"$default\"")).find("defined twice"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(kSmall, "Handler: slow", "Runtime: x")).find("no Handler"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(kSmall, "IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Slow.Arn",
                              "IntegrationType: HTTP_PROXY, IntegrationUri: http://x"))
                .find("AWS_PROXY"),
            std::string::npos);
  EXPECT_THROW(load_template("/nonexistent/template.yaml"), TemplateError);
}

}  // namespace
