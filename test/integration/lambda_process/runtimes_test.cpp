// integration::lambda_process: how each Runtime is launched (launch_for), and what the template
// says of a function's Runtime and CodeUri.
#include "integration/lambda_process/runtimes.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "integration/lambda_process/sam_template.hpp"

namespace {

namespace fs = std::filesystem;
namespace lp = integration::lambda_process;

struct RuntimesTest : ::testing::Test {
  fs::path dir = fs::temp_directory_path() / ("parley-runtimes-" + std::to_string(::getpid()));
  lp::RuntimeTools tools;

  void SetUp() override {
    fs::create_directories(dir / "code");
    fs::create_directories(dir / "runtimes" / "python");
    fs::create_directories(dir / "runtimes" / "node");
    std::ofstream(dir / "runtimes" / "python" / "parley_runtime.py") << "";
    std::ofstream(dir / "runtimes" / "node" / "index.mjs") << "";
    tools.bootstrap = "/opt/parley/bootstrap";
    tools.python = "/bin/sh";  // any executable stands for the interpreter here
    tools.node = "/bin/sh";
    tools.runtimes_dir = dir / "runtimes";
  }
  void TearDown() override { fs::remove_all(dir); }

  std::string error_of(const std::string& runtime, const fs::path& code) {
    try {
      lp::launch_for(runtime, code, tools, "Resources.F.Properties");
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(RuntimesTest, PythonRunsTheShippedClientInTheCodeFolder) {
  for (const char* r : {"python3.9", "python3.10", "python3.11", "python3.12", "python3.13"}) {
    auto l = lp::launch_for(r, dir / "code", tools, "Resources.F.Properties");
    EXPECT_EQ(l.executable, "/bin/sh");
    ASSERT_EQ(l.args.size(), 1u);
    EXPECT_EQ(l.args[0], (dir / "runtimes" / "python" / "parley_runtime.py").string());
    EXPECT_EQ(l.task_root, dir / "code");
    EXPECT_EQ(l.code_dir, dir / "code");
    EXPECT_NE(std::find(l.variables.begin(), l.variables.end(),
                        std::pair<std::string, std::string>{"AWS_EXECUTION_ENV", std::string("AWS_Lambda_") + r}),
              l.variables.end());
  }
}

TEST_F(RuntimesTest, NodeRunsTheShippedClientWithLambdasNodePath) {
  for (const char* r : {"nodejs18.x", "nodejs20.x", "nodejs22.x"}) {
    auto l = lp::launch_for(r, dir / "code", tools, "Resources.F.Properties");
    EXPECT_EQ(l.args.at(0), (dir / "runtimes" / "node" / "index.mjs").string());
    EXPECT_EQ(l.task_root, dir / "code");
    EXPECT_NE(std::find(l.variables.begin(), l.variables.end(),
                        std::pair<std::string, std::string>{"NODE_PATH", (dir / "code").string()}),
              l.variables.end());
  }
}

TEST_F(RuntimesTest, ProvidedRunsTheCodeUrisBootstrapElseParleys) {
  // No bootstrap in the folder, or a zip (the repository's template): Parley's own.
  auto own = lp::launch_for("provided.al2023", dir / "code", tools, "R");
  EXPECT_EQ(own.executable, "/opt/parley/bootstrap");
  EXPECT_EQ(own.task_root, "/opt/parley");
  EXPECT_TRUE(own.code_dir.empty());
  EXPECT_EQ(lp::launch_for("", dir / "build.zip", tools, "R").executable, "/opt/parley/bootstrap");

  std::ofstream(dir / "code" / "bootstrap") << "#!/bin/sh\n";
  EXPECT_NE(error_of("provided.al2", dir / "code").find("is not executable"), std::string::npos);
  ::chmod((dir / "code" / "bootstrap").c_str(), 0755);
  auto l = lp::launch_for("provided.al2", dir / "code", tools, "R");
  EXPECT_EQ(l.executable, dir / "code" / "bootstrap");
  EXPECT_EQ(l.task_root, dir / "code");
  EXPECT_EQ(l.code_dir, dir / "code");
  // --bootstrap wins over the folder's own.
  tools.bootstrap_given = true;
  EXPECT_EQ(lp::launch_for("provided.al2", dir / "code", tools, "R").executable, "/opt/parley/bootstrap");
}

TEST_F(RuntimesTest, RefusalsNameThePropertyAndWhatIsWrong) {
  EXPECT_EQ(error_of("java21", dir / "code"),
            std::string("Resources.F.Properties.Runtime: java21 does not run locally (") +
                lp::kSupportedRuntimes + ")");
  EXPECT_EQ(error_of("python3.12", ""),
            "Resources.F.Properties.CodeUri: a python3.12 function needs a CodeUri (the folder "
            "holding its code)");
  EXPECT_NE(error_of("nodejs20.x", dir / "app.zip").find("Resources.F.Properties.CodeUri: " +
                                                          (dir / "app.zip").string() + " is not a folder"),
            std::string::npos);
  tools.python = "/nonexistent/python3";
  EXPECT_EQ(error_of("python3.12", dir / "code"),
            "Resources.F.Properties.Runtime: no python3 interpreter found; install it or give "
            "--python PATH");
  fs::remove_all(dir / "runtimes" / "node");
  EXPECT_NE(error_of("nodejs20.x", dir / "code").find("runtime client"), std::string::npos);
}

TEST(FindExecutable, LooksAlongPath) {
  EXPECT_EQ(lp::find_executable("sh", "/nonexistent:/bin"), fs::path("/bin/sh"));
  EXPECT_TRUE(lp::find_executable("no-such-program-here", "/bin:/usr/bin").empty());
  EXPECT_EQ(lp::find_executable("/bin/sh", ""), fs::path("/bin/sh"));
}

TEST(SamTemplate, RuntimeAndCodeUriComeFromTheFunctionOrGlobals) {
  const auto t = integration::sam::parse_template(R"(
Globals:
  Function: {Runtime: python3.12, CodeUri: src/}
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {ProtocolType: WEBSOCKET, RouteSelectionExpression: "$request.body.action"}
  A: {Type: AWS::Serverless::Function, Properties: {Handler: a.h}}
  B: {Type: AWS::Serverless::Function, Properties: {Handler: b.h, Runtime: nodejs20.x, CodeUri: b/}}
  AI: {Type: AWS::ApiGatewayV2::Integration, Properties: {IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt A.Arn}}
  BI: {Type: AWS::ApiGatewayV2::Integration, Properties: {IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt B.Arn}}
  AR: {Type: AWS::ApiGatewayV2::Route, Properties: {RouteKey: a, Target: !Sub "integrations/${AI}"}}
  BR: {Type: AWS::ApiGatewayV2::Route, Properties: {RouteKey: b, Target: !Sub "integrations/${BI}"}}
)");
  EXPECT_EQ(t.functions.at("A").runtime, "python3.12");
  EXPECT_EQ(t.functions.at("A").code_uri, "src/");
  EXPECT_EQ(t.functions.at("B").runtime, "nodejs20.x");
  EXPECT_EQ(t.functions.at("B").code_uri, "b/");
  try {
    integration::sam::parse_template(R"(
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {ProtocolType: WEBSOCKET, RouteSelectionExpression: "$request.body.action"}
  A: {Type: AWS::Serverless::Function, Properties: {Handler: a.h, CodeUri: {Bucket: b, Key: k}}}
  AI: {Type: AWS::ApiGatewayV2::Integration, Properties: {IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt A.Arn}}
  AR: {Type: AWS::ApiGatewayV2::Route, Properties: {RouteKey: a, Target: !Sub "integrations/${AI}"}}
)");
    FAIL() << "an S3 CodeUri was accepted";
  } catch (const integration::sam::TemplateError& e) {
    EXPECT_STREQ(e.what(), "Resources.A.CodeUri: only a local path runs locally (found an S3 location)");
  }
}

}  // namespace
