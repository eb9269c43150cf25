// integration::sam on a template written as AWS's sample simple-websockets-chat-app writes it
// (test/integration/lambda/sample/template.yaml): !Join targets, a REQUEST authorizer, a
// two-way route, a table named by a parameter; and each refusal of an API Gateway shape that
// does not run locally, with its exact message.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "integration/lambda_process/sam_template.hpp"

namespace {

using integration::sam::load_template;
using integration::sam::parse_template;
using integration::sam::ParseOptions;
using integration::sam::TemplateError;

const std::filesystem::path kSample = PARLEY_SOURCE_DIR "/test/integration/lambda/sample/template.yaml";

TEST(SamTemplateRoutes, TheSampleTemplateIsReadAsAwsWouldDeployIt) {
  const auto t = load_template(kSample);
  EXPECT_EQ(t.route_selection_expression, "$request.body.action");
  EXPECT_EQ(t.stage_name, "Prod");
  ASSERT_EQ(t.routes.size(), 4u);
  EXPECT_EQ(t.function_for("$connect")->logical_id, "OnConnectFunction");
  EXPECT_EQ(t.function_for("$disconnect")->logical_id, "OnDisconnectFunction");
  EXPECT_EQ(t.function_for("sendmessage")->logical_id, "SendMessageFunction");
  EXPECT_EQ(t.function_for("echo")->logical_id, "EchoFunction");
  for (const auto& r : t.routes) {
    EXPECT_EQ(r.two_way, r.route_key == "echo") << r.route_key;
    EXPECT_EQ(r.authorizer, r.route_key == "$connect" ? "TokenAuthorizer" : "") << r.route_key;
  }
  const auto& a = t.authorizers.at("TokenAuthorizer");
  EXPECT_EQ(a.name, "TokenAuthorizer");
  EXPECT_EQ(a.function, "AuthorizerFunction");
  EXPECT_EQ(a.identity_sources, std::vector<std::string>{"route.request.querystring.token"});

  const auto functions = kSample.parent_path() / "functions";
  const auto& connect = t.functions.at("OnConnectFunction");
  EXPECT_EQ(connect.runtime, "provided.al2023");
  EXPECT_EQ(connect.code_uri, "functions/");  // as written
  EXPECT_EQ(connect.code_path, functions);     // relative to the template's directory
  EXPECT_EQ(connect.memory_mb, 256);        // !If [IsProd, 256, 128] in Globals
  EXPECT_EQ(connect.timeout_s, 10);
  EXPECT_EQ(connect.environment.at("TABLE_NAME").literal, "simplechat_connections");
  const auto& echo = t.functions.at("EchoFunction");  // AWS::Lambda::Function: no Globals
  EXPECT_EQ(echo.code_path, functions);
  EXPECT_EQ(echo.memory_mb, 128);
  EXPECT_TRUE(echo.environment.empty());
  EXPECT_EQ(t.functions.at("AuthorizerFunction").timeout_s, 3);

  ASSERT_EQ(t.tables.size(), 1u);
  EXPECT_EQ(t.tables[0].name, "simplechat_connections");
  EXPECT_EQ(t.tables[0].create_request,
            R"({"TableName":"simplechat_connections","AttributeDefinitions":[{"AttributeName":"connectionId","AttributeType":"S"}],)"
            R"("KeySchema":[{"AttributeName":"connectionId","KeyType":"HASH"}],)"
            R"("ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}})");
  EXPECT_EQ(t.tables[0].ttl_attribute, "");
}

TEST(SamTemplateRoutes, ParameterOverridesReachEveryUse) {
  ParseOptions o;
  o.parameter_overrides = {{"TableName", "my_conns"}, {"StageName", "Dev"}};
  const auto t = load_template(kSample, o);
  EXPECT_EQ(t.stage_name, "Dev");
  EXPECT_EQ(t.tables[0].name, "my_conns");
  EXPECT_EQ(t.functions.at("SendMessageFunction").environment.at("TABLE_NAME").literal, "my_conns");
  EXPECT_EQ(t.functions.at("SendMessageFunction").memory_mb, 128);
}

std::string sample_text() {
  std::ifstream in(kSample);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The error of the sample with `from` replaced by `to` ("" when it parsed).
std::string error_with(const std::string& from, const std::string& to, const ParseOptions& o = {}) {
  std::string text = sample_text();
  const auto at = text.find(from);
  if (at == std::string::npos) return "<pattern not found: " + from + ">";
  text.replace(at, from.size(), to);
  try {
    parse_template(text, o);
  } catch (const TemplateError& e) {
    return e.what();
  }
  return "";
}

// Each row: the sample with `from` replaced by `to` is refused with `message`.
struct Refusal {
  const char* from;
  const char* to;
  const char* message;
};
const Refusal kRefusals[] = {
    {"AuthorizerType: REQUEST", "AuthorizerType: JWT",
     "Resources.TokenAuthorizer.Properties.AuthorizerType: only REQUEST authorizers (a Lambda "
     "function) run on a WebSocket API, not 'JWT'"},
    {"- route.request.querystring.token", "- method.request.header.Auth",
     "Resources.TokenAuthorizer.Properties.IdentitySource: 'method.request.header.Auth' is not "
     "route.request.header.NAME or route.request.querystring.NAME"},
    {"AuthorizerId: !Ref TokenAuthorizer", "AuthorizerId: !Ref Stage",
     "Resources.ConnectRoute.Properties.AuthorizerId: 'Stage' does not name an AWS::ApiGatewayV2::Authorizer"},
    {"RouteKey: sendmessage\n      AuthorizationType: NONE",
     "RouteKey: sendmessage\n      AuthorizationType: AWS_IAM",
     "Resources.SendRoute.Properties.AuthorizationType: 'AWS_IAM' does not run locally (NONE or CUSTOM do)"},
    {"RouteKey: sendmessage\n      AuthorizationType: NONE",
     "RouteKey: sendmessage\n      AuthorizationType: CUSTOM",
     "Resources.SendRoute.Properties.AuthorizationType: only the $connect route may have an authorizer"},
    {"RouteResponseSelectionExpression: $default", "RouteResponseSelectionExpression: $request.body.x",
     "Resources.EchoRoute.Properties.RouteResponseSelectionExpression: a WebSocket route's is $default, "
     "not '$request.body.x'"},
    {"RouteResponseKey: $default", "RouteResponseKey: ok",
     "Resources.EchoRouteResponse.Properties.RouteResponseKey: a WebSocket route response's key is "
     "$default, not 'ok'"},
    {"RouteId: !Ref EchoRoute", "RouteId: !Ref EchoInteg",
     "Resources.EchoRouteResponse.Properties.RouteId: 'EchoInteg' does not name an AWS::ApiGatewayV2::Route"},
    {"!Ref ConnectInteg", "!Ref ConnectRoute",
     "Resources.ConnectRoute.Properties.Target: 'integrations/ConnectRoute' does not name an "
     "AWS::ApiGatewayV2::Integration"},
    {"${OnConnectFunction.Arn}", "${ConnectionsTable.Arn}",
     "Resources.ConnectInteg.Properties.IntegrationUri: 'arn:aws:apigateway:us-east-1:lambda:path/"
     "2015-03-31/functions/arn:aws:dynamodb:us-east-1:123456789012:table/simplechat_connections/"
     "invocations' does not name a function of the template"},
    {"CodeUri: functions/", "CodeUri: {Bucket: b, Key: k}",
     "Globals.Function.CodeUri: only a local path runs locally (found an S3 location)"},
    {"Code: functions/", "Code: {ZipFile: \"exports.handler = 1\"}",
     "Resources.EchoFunction.Code: only a local path runs locally (found inline code)"},
    {"Handler: onconnect", "Handler: onconnect\n      CodeUri: {Bucket: b, Key: k}",
     "Resources.OnConnectFunction.CodeUri: only a local path runs locally (found an S3 location)"},
    {"Timeout: 3", "Timeout: !Ref Nope",
     "Resources.AuthorizerFunction.Properties.Timeout: Ref Nope names no parameter, resource or pseudo parameter"},
    {"      ProvisionedThroughput:\n        ReadCapacityUnits: 5\n        WriteCapacityUnits: 5\n", "",
     "Resources.ConnectionsTable.Properties.ProvisionedThroughput: a PROVISIONED table (BillingMode's "
     "default) needs ProvisionedThroughput"},
    {"SSESpecification:", "StreamThing:",
     "Resources.ConnectionsTable.Properties.StreamThing: not a property of AWS::DynamoDB::Table that runs locally"},
    {"ReadCapacityUnits: 5", "ReadCapacityUnits: many",
     "Resources.ConnectionsTable.Properties.ProvisionedThroughput.ReadCapacityUnits: expected a number, not 'many'"},
};

TEST(SamTemplateRoutes, ShapesThatDoNotRunLocallyAreRefusedByName) {
  for (const auto& r : kRefusals) EXPECT_EQ(error_with(r.from, r.to), r.message) << r.to;
  ParseOptions bad;
  bad.parameter_overrides = {{"TableName", "has-dash"}};
  EXPECT_EQ(error_with("Prod Stage", "Prod Stage", bad),
     "Parameters.TableName: 'has-dash' does not match its AllowedPattern ^[A-Za-z_]+$");
}

TEST(SamTemplateRoutes, ParameterOverridesAreReadAsSamDeployWritesThem) {
  using integration::sam::parse_parameter_overrides;
  const auto o = parse_parameter_overrides({"A=1", "B=x=y", "ParameterKey=C,ParameterValue=3", "D="});
  EXPECT_EQ(o, (std::map<std::string, std::string>{{"A", "1"}, {"B", "x=y"}, {"C", "3"}, {"D", ""}}));
  // One quoted value with several words reads as those words (`sam deploy` takes both).
  EXPECT_EQ(parse_parameter_overrides({" A=1  B=2 ", "ParameterKey=C,ParameterValue=3 D=4"}),
            (std::map<std::string, std::string>{{"A", "1"}, {"B", "2"}, {"C", "3"}, {"D", "4"}}));
  try {
    parse_parameter_overrides({"novalue"});
    FAIL();
  } catch (const TemplateError& e) {
    EXPECT_STREQ(e.what(), "--parameter-overrides: 'novalue' is not Key=Value");
  }
}

}  // namespace
