// integration::sam::Intrinsics: each intrinsic function in its short and long forms, Parameters
// (defaults, overrides, AllowedValues, AllowedPattern), Conditions, and the exact refusals.
#include "integration/lambda_process/template_intrinsics.hpp"

#include <gtest/gtest.h>

namespace {

using integration::sam::Intrinsics;
using integration::sam::ParseOptions;
using integration::sam::TemplateError;

const char* const kTemplate = R"(
Parameters:
  Stage: {Type: String, Default: Prod, AllowedValues: [Prod, Dev]}
  Suffix: {Type: String, Default: abc, AllowedPattern: "[a-z]+", MinLength: 2, MaxLength: 8}
  Count: {Type: Number, Default: 3, MinValue: 1, MaxValue: 10}
  Names: {Type: CommaDelimitedList, Default: "a,b,c"}
  Empty: {Type: String, Default: ""}
Conditions:
  IsProd: !Equals [!Ref Stage, Prod]
  IsDev: !Not [!Condition IsProd]
  HasSuffix: !Not [!Equals [!Ref Suffix, ""]]
  Both: !And [!Condition IsProd, !Condition HasSuffix]
  Either: {"Fn::Or": [{Condition: IsDev}, {"Fn::Equals": [!Ref Empty, ""]}]}
  Loop: !Condition Loop
Mappings:
  Sizes: {Prod: {Memory: "512"}, Dev: {Memory: "128"}}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler}
  Named:
    Type: AWS::Lambda::Function
    Properties: {FunctionName: !Sub "chat-${Stage}", Handler: x}
  Connections:
    Type: AWS::DynamoDB::Table
    Properties: {TableName: !Sub "conn_${Suffix}"}
  MessagesTable:
    Type: AWS::DynamoDB::Table
  Api:
    Type: AWS::ApiGatewayV2::Api
  DevOnly:
    Type: AWS::DynamoDB::Table
    Condition: IsDev
  Values:
    Type: Test::Values
    Properties:
      RefParam: !Ref Stage
      RefFunction: !Ref Fn
      RefNamed: !Ref Named
      RefTable: !Ref Connections
      RefGenerated: !Ref MessagesTable
      RefOther: {Ref: Api}
      Pseudo: !Sub "${AWS::Region}/${AWS::AccountId}/${AWS::StackName}/${AWS::Partition}/${AWS::URLSuffix}"
      SubAttr: !Sub "${Fn.Arn}|${Connections.Arn}|${Connections.StreamArn}|${Api.ApiEndpoint}"
      SubVars: !Sub ["${A}-${B}-${!Literal}", {A: !Ref Stage, B: {"Fn::GetAtt": [Named, Arn]}}]
      LongSub: {"Fn::Sub": "x-${Stage}"}
      Join: !Join ['/', ['integrations', !Ref Fn]]
      LongJoin: {"Fn::Join": ["", [a, {Ref: Suffix}]]}
      JoinList: !Join [",", !Ref Names]
      GetAttDot: !GetAtt Fn.Arn
      GetAttList: !GetAtt [Connections, Arn]
      Select: !Select [1, !Ref Names]
      SelectSplit: !Select [2, !Split ["-", "x-y-z"]]
      LongSelect: {"Fn::Select": ["0", {"Fn::Split": [",", "p,q"]}]}
      If: !If [IsProd, big, small]
      LongIf: {"Fn::If": [IsDev, big, small]}
      IfNoValue: !If [IsDev, here, !Ref "AWS::NoValue"]
      List: [one, !If [IsDev, two, {Ref: AWS::NoValue}], three]
      FindInMap: !FindInMap [Sizes, !Ref Stage, Memory]
      Both: !If [Both, yes, no]
      Either: !If [Either, yes, no]
)";

struct IntrinsicsOf : ::testing::Test {
  YAML::Node root = YAML::Load(kTemplate);
  std::string value(Intrinsics& in, const char* name) {
    return in.resolve_string(root["Resources"]["Values"]["Properties"][name], name);
  }
};

TEST_F(IntrinsicsOf, RefAndSubAndGetAttGiveWhatCloudFormationWould) {
  Intrinsics in(root, {});
  EXPECT_EQ(value(in, "RefParam"), "Prod");
  EXPECT_EQ(value(in, "RefFunction"), "Fn");
  EXPECT_EQ(value(in, "RefNamed"), "chat-Prod");
  EXPECT_EQ(value(in, "RefTable"), "conn_abc");
  EXPECT_EQ(value(in, "RefGenerated"), "parley-messages");
  EXPECT_EQ(value(in, "RefOther"), "Api");
  EXPECT_EQ(value(in, "Pseudo"), "us-east-1/123456789012/parley-local/aws/amazonaws.com");
  EXPECT_EQ(value(in, "SubAttr"),
     "arn:aws:lambda:us-east-1:123456789012:function:Fn|"
     "arn:aws:dynamodb:us-east-1:123456789012:table/conn_abc|"
     "arn:aws:dynamodb:us-east-1:123456789012:table/conn_abc/stream/1970-01-01T00:00:00.000|"
     "wss://Api.execute-api.us-east-1.amazonaws.com");
  EXPECT_EQ(value(in, "SubVars"), "Prod-arn:aws:lambda:us-east-1:123456789012:function:chat-Prod-${Literal}");
  EXPECT_EQ(value(in, "LongSub"), "x-Prod");
  EXPECT_EQ(value(in, "GetAttDot"), "arn:aws:lambda:us-east-1:123456789012:function:Fn");
  EXPECT_EQ(value(in, "GetAttList"), "arn:aws:dynamodb:us-east-1:123456789012:table/conn_abc");
}

TEST_F(IntrinsicsOf, JoinSelectSplitFindInMap) {
  Intrinsics in(root, {});
  EXPECT_EQ(value(in, "Join"), "integrations/Fn");
  EXPECT_EQ(value(in, "LongJoin"), "aabc");
  EXPECT_EQ(value(in, "JoinList"), "a,b,c");
  EXPECT_EQ(value(in, "Select"), "b");
  EXPECT_EQ(value(in, "SelectSplit"), "z");
  EXPECT_EQ(value(in, "LongSelect"), "p");
  EXPECT_EQ(value(in, "FindInMap"), "512");
}

TEST_F(IntrinsicsOf, ConditionsAndNoValue) {
  Intrinsics prod(root, {});
  EXPECT_EQ(value(prod, "If"), "big");
  EXPECT_EQ(value(prod, "LongIf"), "small");
  EXPECT_FALSE(prod.resolve(root["Resources"]["Values"]["Properties"]["IfNoValue"], "x").has_value());
  const auto list = prod.resolve(root["Resources"]["Values"]["Properties"]["List"], "x");
  ASSERT_TRUE(list && list->IsSequence());
  ASSERT_EQ(list->size(), 2u);  // the NoValue item is left out
  EXPECT_EQ((*list)[1].Scalar(), "three");
  EXPECT_EQ(value(prod, "Both"), "yes");
  EXPECT_EQ(value(prod, "Either"), "yes");  // Empty is ""
  EXPECT_FALSE(prod.exists("DevOnly"));
  EXPECT_TRUE(prod.exists("MessagesTable"));

  ParseOptions dev;
  dev.parameter_overrides = {{"Stage", "Dev"}, {"Empty", "x"}};
  Intrinsics in(root, dev);
  EXPECT_EQ(value(in, "If"), "small");
  EXPECT_EQ(value(in, "IfNoValue"), "here");
  EXPECT_EQ(value(in, "Both"), "no");
  EXPECT_EQ(value(in, "Either"), "yes");  // IsDev
  EXPECT_EQ(value(in, "FindInMap"), "128");
  EXPECT_TRUE(in.exists("DevOnly"));
}

// The message `text`'s evaluation of `yaml` (a property value) fails with.
std::string error_of(const std::string& yaml, ParseOptions o = {}) {
  try {
    YAML::Node root = YAML::Load(kTemplate);
    Intrinsics in(root, o);
    in.resolve(YAML::Load("v: " + yaml)["v"], "Resources.Values.Properties.V");
  } catch (const TemplateError& e) {
    return e.what();
  }
  return "";
}

// Each row: a property value and the message its evaluation is refused with.
const std::pair<const char*, const char*> kRefusals[] = {
    {"!Ref Nope",
     "Resources.Values.Properties.V: Ref Nope names no parameter, resource or pseudo parameter"},
    {"!GetAtt Fn.Nope",
     "Resources.Values.Properties.V: Fn::GetAtt Fn.Nope: the attribute Nope of "
     "AWS::Serverless::Function is not known locally"},
    {"!GetAtt Nope.Arn",
     "Resources.Values.Properties.V: Fn::GetAtt Nope.Arn: no resource Nope"},
    {"!GetAZs ''",
     "Resources.Values.Properties.V: Fn::GetAZs is not supported locally"},
    {"{\"Fn::ImportValue\": x}",
     "Resources.Values.Properties.V: Fn::ImportValue is not supported locally"},
    {"!Bogus x",
     "Resources.Values.Properties.V: unknown intrinsic function Fn::Bogus"},
    {"!Join [a]",
     "Resources.Values.Properties.V: Fn::Join takes a list of 2 items"},
    {"!Select [5, [a, b]]",
     "Resources.Values.Properties.V: Fn::Select: index 5 is not within the list's 2 items"},
    {"!Sub 'a ${b'",
     "Resources.Values.Properties.V: Fn::Sub: '${' without '}' in \"a ${b\""},
    {"!If [Nope, a, b]",
     "Resources.Values.Properties.V: no condition Nope in Conditions"},
    {"!If [Loop, a, b]",
     "Conditions.Loop: refers to itself"},
    {"!Ref DevOnly",
     "Resources.Values.Properties.V: DevOnly is not created: its Condition is false"},
    {"!FindInMap [Sizes, Test, Memory]",
     "Resources.Values.Properties.V: Fn::FindInMap: Mappings.Sizes.Test.Memory is not in the template"},
};

TEST(Intrinsics, RefusalsNameWhereAndWhat) {
  for (const auto& [yaml, message] : kRefusals) EXPECT_EQ(error_of(yaml), message) << yaml;
}

TEST(Intrinsics, ParametersAreCheckedAsCloudFormationChecksThem) {
  ParseOptions o;
  o.parameter_overrides = {{"Stage", "Test"}};
  EXPECT_EQ(error_of("x", o), "Parameters.Stage: 'Test' is not one of its AllowedValues (Prod, Dev)");
  o.parameter_overrides = {{"Suffix", "ABC"}};
  EXPECT_EQ(error_of("x", o), "Parameters.Suffix: 'ABC' does not match its AllowedPattern [a-z]+");
  o.parameter_overrides = {{"Suffix", "abcdefghi"}};
  EXPECT_EQ(error_of("x", o), "Parameters.Suffix: 'abcdefghi' is longer than its MaxLength 8");
  o.parameter_overrides = {{"Suffix", "a"}};
  EXPECT_EQ(error_of("x", o), "Parameters.Suffix: 'a' is shorter than its MinLength 2");
  o.parameter_overrides = {{"Count", "x1"}};
  EXPECT_EQ(error_of("x", o), "Parameters.Count: 'x1' is not a Number");
  o.parameter_overrides = {{"Count", "11"}};
  EXPECT_EQ(error_of("x", o), "Parameters.Count: '11' is more than its MaxValue 10");
  o.parameter_overrides = {{"Count", "0.5"}};
  EXPECT_EQ(error_of("x", o), "Parameters.Count: '0.5' is less than its MinValue 1");
  o.parameter_overrides = {{"Count", "10"}};
  EXPECT_EQ(error_of("x", o), "");
  o.parameter_overrides = {{"Nope", "1"}};
  EXPECT_EQ(error_of("x", o), "--parameter-overrides: the template has no parameter Nope");
  try {
    Intrinsics in(YAML::Load("Parameters: {Key: {Type: String}}\nResources: {}"), {});
    FAIL() << "a parameter without Default or value was accepted";
  } catch (const TemplateError& e) {
    EXPECT_STREQ(e.what(), "Parameters.Key: no Default and no value given: add --parameter-overrides Key=VALUE");
  }
}

}  // namespace
