// The `bootstrap` executable as Lambda runs it: a separate process with AWS_LAMBDA_RUNTIME_API,
// _HANDLER and the store's variables, against the test Runtime API server. The executable is
// PARLEY_BOOTSTRAP, or the `bootstrap` at the root of PARLEY_PACKAGE_ZIP, unzipped into an
// empty directory first (the package test: what `make package` builds runs as shipped).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <memory>
#include <string>

#include "../aws/dynalite_server.hpp"
#include "../aws/process.hpp"
#include "apigw/event_codec.hpp"
#include "runtime_api_server.hpp"
#include "../auth/test_keys.hpp"
#include "store/dynamodb/dynamo_create_tables.hpp"
#include "store/dynamodb/dynamo_store.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace lambda {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::RuntimeApiServer;

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

class Bootstrap : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("parley-bootstrap-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    bootstrap_ = env_or_empty("PARLEY_BOOTSTRAP");
    if (const auto zip = env_or_empty("PARLEY_PACKAGE_ZIP"); !zip.empty()) {
      ASSERT_TRUE(fs::exists(zip)) << zip << " is missing: run `make package`";
      const auto unzip_dir = dir_ / "task";
      fs::create_directories(unzip_dir);
      const std::string cmd = "cd '" + unzip_dir.string() + "' && '" + env_or_empty("CMAKE_COMMAND") +
                              "' -E tar xf '" + fs::absolute(zip).string() + "'";
      ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
      const std::vector<fs::path> entries{fs::directory_iterator(unzip_dir), fs::directory_iterator{}};
      ASSERT_EQ(entries.size(), 1u) << "the zip holds bootstrap and nothing else";
      bootstrap_ = (unzip_dir / "bootstrap").string();
      ASSERT_TRUE((fs::status(bootstrap_).permissions() & fs::perms::owner_exec) != fs::perms::none)
          << "bootstrap is executable in the zip";
    }
    ASSERT_FALSE(bootstrap_.empty()) << "set PARLEY_BOOTSTRAP or PARLEY_PACKAGE_ZIP";
    bootstrap_ = fs::absolute(bootstrap_).string();  // the process starts in dir_
    ASSERT_TRUE(fs::exists(bootstrap_)) << bootstrap_;
  }
  void TearDown() override {
    process_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Starts bootstrap for `handler` with the environment Lambda (or the process mode) sets;
  // `prefix` runs it through another program (chroot).
  void start(const std::string& handler, std::vector<std::string> prefix = {},
             const std::string& runtime_api = {}, const std::string& sqlite_file = {}) {
    ::setenv("AWS_LAMBDA_RUNTIME_API",
             (runtime_api.empty() ? server_.address() : runtime_api).c_str(), 1);
    ::setenv("_HANDLER", handler.c_str(), 1);
    if (sqlite_file == "none") {
      ::unsetenv("PARLEY_SQLITE_FILE");
    } else {
      ::setenv("PARLEY_SQLITE_FILE",
               (sqlite_file.empty() ? (dir_ / "parley.db").string() : sqlite_file).c_str(), 1);
    }
    ::setenv("PARLEY_MANAGEMENT_ENDPOINT", ("http://" + server_.address() + "/dev").c_str(), 1);
    ::setenv("AWS_REGION", "us-east-1", 1);
    ::setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
    ::setenv("LAMBDA_TASK_ROOT", fs::path(bootstrap_).parent_path().c_str(), 1);
    prefix.push_back(prefix.empty() ? bootstrap_ : "/bootstrap");
    process_ = aws::test::Process::start(prefix, dir_.string());
    ASSERT_TRUE(process_);
  }

  static std::string event(const std::string& route, const std::string& type,
                           const std::string& extra = "") {
    return R"({"requestContext":{"routeKey":")" + route + R"(","eventType":")" + type +
           R"(","extendedRequestId":"Xq1aBcDeFgHiJkA=","requestTime":"01/Feb/2025:10:00:00 +0000",)"
           R"("messageDirection":"IN","stage":"dev","connectedAt":1738404000000,)"
           R"("requestTimeEpoch":1738404000012,"identity":{"sourceIp":"203.0.113.9"},)"
           R"("requestId":"Xq1aBcDeFgHiJkA=","domainName":"abc123.execute-api.us-east-1.amazonaws.com",)"
           R"("connectionId":"Xq1aAbCdEfGhIjA=","apiId":"abc123"},"isBase64Encoded":false)" + extra + "}";
  }

  RuntimeApiServer server_;
  fs::path dir_;
  std::string bootstrap_;
  std::unique_ptr<aws::test::Process> process_;
};

TEST_F(Bootstrap, ConnectStoresTheConnectionInSqlite) {
  start("connect");
  const auto id = server_.invoke(test::event(
      event("$connect", "CONNECT",
            R"(,"headers":{"Host":"abc123"},"queryStringParameters":{"name":"alice","room":"lobby"})"),
      test::deadline_in(10s)));
  auto answer = server_.wait_answer(id, 20s);
  ASSERT_TRUE(answer) << "no answer from bootstrap";
  ASSERT_FALSE(answer->is_error) << answer->body;
  auto response = apigw::decode_response(answer->body);
  ASSERT_TRUE(response) << answer->body;
  EXPECT_EQ(response->status_code, 200);

  auto db = store::Sqlite::open(dir_ / "parley.db");
  ASSERT_TRUE(db);
  auto row = (*db)->get_connection("Xq1aAbCdEfGhIjA=");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->name, "alice");
  EXPECT_EQ(row->home_room, "lobby");
}

// Without PARLEY_SQLITE_FILE the store is DynamoDB: the tables named by the template's
// variables, at DYNAMODB_ENDPOINT (a dynalite here).
TEST_F(Bootstrap, ConnectStoresTheConnectionInDynamoDb) {
  std::string why;
  auto dynalite = aws::test::DynaliteServer::start(why);
  if (!dynalite) GTEST_SKIP() << why;
  auto config = aws::dynamodb::ClientConfig::local(dynalite->url());
  ASSERT_TRUE(config);
  auto client = store::make_dynamo_client(*config);
  const auto tables = store::DynamoTables::with_prefix("boot-");
  std::ostringstream progress;
  ASSERT_TRUE(store::create_tables(*client, tables, progress)) << progress.str();
  ::setenv("WEBSOCKET_TABLE", tables.connections.c_str(), 1);
  ::setenv("MEMBERS_TABLE", tables.members.c_str(), 1);
  ::setenv("MESSAGES_TABLE", tables.messages.c_str(), 1);
  ::setenv("ROOMS_TABLE", tables.rooms.c_str(), 1);
  ::setenv("CLIENTMSGS_TABLE", tables.clientmsgs.c_str(), 1);
  ::setenv("DYNAMODB_ENDPOINT", dynalite->url().c_str(), 1);
  start("connect", {}, {}, "none");
  const auto id = server_.invoke(test::event(
      event("$connect", "CONNECT", R"(,"headers":{"Host":"abc123"},"queryStringParameters":{"name":"dyn","room":"ddb"})"),
      test::deadline_in(10s)));
  auto answer = server_.wait_answer(id, 20s);
  for (const char* v : {"WEBSOCKET_TABLE", "MEMBERS_TABLE", "MESSAGES_TABLE", "ROOMS_TABLE",
                        "CLIENTMSGS_TABLE", "DYNAMODB_ENDPOINT"})
    ::unsetenv(v);
  ASSERT_TRUE(answer) << "no answer from bootstrap";
  ASSERT_FALSE(answer->is_error) << answer->body;
  EXPECT_EQ(apigw::decode_response(answer->body)->status_code, 200);
  store::Dynamo db(client, tables);
  auto row = db.get_connection("Xq1aAbCdEfGhIjA=");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->name, "dyn");
  auto members = db.members("ddb");
  ASSERT_TRUE(members);
  ASSERT_EQ(members->size(), 1u);
}

// Nothing of Debian's user land but what the zip carries: bootstrap in an otherwise empty root
// (plus /etc/hosts and nsswitch.conf, /tmp for the database) connects to the Runtime API by
// host name and serves an event. No shared library, no loader, no NSS module can be found
// there, so this is what provided.al2023 will see. Needs root (chroot); the package test only.
TEST_F(Bootstrap, RunsAloneInAnEmptyRoot) {
  if (env_or_empty("PARLEY_PACKAGE_ZIP").empty()) GTEST_SKIP() << "the package test only";
  if (::geteuid() != 0) GTEST_SKIP() << "chroot needs root";
  const auto root = dir_ / "root";
  fs::create_directories(root / "etc");
  fs::create_directories(root / "tmp");
  fs::copy_file(bootstrap_, root / "bootstrap");
  {
    std::ofstream(root / "etc" / "hosts") << "127.0.0.1 localhost runtime.local\n";
    std::ofstream(root / "etc" / "nsswitch.conf") << "hosts: files dns\n";
  }
  const auto port = server_.address().substr(server_.address().rfind(':') + 1);
  start("connect", {"chroot", root.string()}, "runtime.local:" + port, "/tmp/parley.db");
  const auto id = server_.invoke(test::event(
      event("$connect", "CONNECT", R"(,"headers":{"Host":"abc123"},"queryStringParameters":{"name":"bo"})"),
      test::deadline_in(10s)));
  auto answer = server_.wait_answer(id, 20s);
  ASSERT_TRUE(answer) << "no answer from bootstrap in the empty root";
  ASSERT_FALSE(answer->is_error) << answer->body;
  EXPECT_TRUE(fs::exists(root / "tmp" / "parley.db"));
}

TEST_F(Bootstrap, PingPostsAPongThroughTheManagementApiSigned) {
  start("ping");
  const auto id = server_.invoke(test::event(
      event("ping", "MESSAGE", R"(,"body":"{\"action\":\"ping\"}")"), test::deadline_in(10s)));
  auto answer = server_.wait_answer(id, 20s);
  ASSERT_TRUE(answer) << "no answer from bootstrap";
  ASSERT_FALSE(answer->is_error) << answer->body;
  bool posted = false;
  for (const auto& r : server_.requests()) {
    if (r.target != "/dev/@connections/Xq1aAbCdEfGhIjA%3D") continue;
    posted = true;
    EXPECT_EQ(r.method, "POST");
    EXPECT_NE(r.body.find("pong"), std::string::npos) << r.body;
    ASSERT_TRUE(r.headers.count("authorization"));
    EXPECT_NE(r.headers.at("authorization").find("/us-east-1/execute-api/aws4_request"),
              std::string::npos);
  }
  EXPECT_TRUE(posted) << "no POST to the connection";
}

// Lambda's contract: a 500 from the Runtime API means the environment is broken; exit.
TEST_F(Bootstrap, ExitsWhenTheRuntimeApiAnswers500) {
  server_.fail_next_request(500);
  start("ping");
  int status = 0;
  pid_t done = 0;
  for (int i = 0; i < 1000 && done == 0; ++i) {
    done = ::waitpid(process_->pid(), &status, WNOHANG);
    if (done == 0) std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(done, process_->pid()) << "bootstrap still runs after the 500";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
}

TEST_F(Bootstrap, AnUnknownHandlerIsAnInitError) {
  start("nope");
  auto e = server_.wait_init_error(20s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->error_type_header, "Runtime.NoSuchHandler");
  auto body = boost::json::parse(e->body).as_object();
  EXPECT_EQ(body.at("errorType"), "Runtime.NoSuchHandler");
}

TEST_F(Bootstrap, AnEventThatIsNotAnApiGatewayEventIsAFunctionError) {
  start("who");
  const auto id = server_.invoke(test::event("[1,2,3]", test::deadline_in(10s)));
  auto answer = server_.wait_answer(id, 20s);
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->is_error);
  EXPECT_EQ(answer->error_type_header, "Parley.InvalidEvent");
}

}  // namespace
}  // namespace lambda

// _HANDLER=authorize: the $connect JWT authorizer as a Lambda REQUEST authorizer.
namespace lambda {
namespace {

class BootstrapAuthorize : public Bootstrap {
 protected:
  static constexpr const char* secret = "a-lambda-secret-of-at-least-32-bytes";
  static std::string request_event(const std::string& query) {
    return R"({"type":"REQUEST","methodArn":"arn:aws:execute-api:us-east-1:123456789012:abc123/dev/$connect",)"
           R"("headers":{"Host":"abc123"},)" + query +
           R"("requestContext":{"routeKey":"$connect","eventType":"CONNECT","connectionId":"Xq1aAbCdEfGhIjA="}})";
  }
  void TearDown() override {
    ::unsetenv("PARLEY_JWT_SECRET");
    Bootstrap::TearDown();
  }
};

TEST_F(BootstrapAuthorize, AGoodTokenGetsAnAllowPolicyAndNoTokenIsUnauthorized) {
  ::setenv("PARLEY_JWT_SECRET", secret, 1);
  start("authorize", {}, {}, "none");
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string token = testkeys::hs256(secret, {{"sub", "user-1"}, {"name", "ann"}, {"exp", now + 300}});
  const auto good = server_.invoke(test::event(request_event(R"("queryStringParameters":{"token":")" + token + R"("},)"),
                                               test::deadline_in(10s)));
  auto answer = server_.wait_answer(good, 20s);
  ASSERT_TRUE(answer) << "no answer from bootstrap";
  ASSERT_FALSE(answer->is_error) << answer->body;
  auto v = boost::json::parse(answer->body);
  EXPECT_EQ(v.at("principalId"), "user-1");
  EXPECT_EQ(v.at("policyDocument").at("Statement").at(0).at("Effect"), "Allow");
  EXPECT_EQ(v.at("context").at("name"), "ann");

  const auto none = server_.invoke(test::event(request_event(""), test::deadline_in(10s)));
  answer = server_.wait_answer(none, 20s);
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->is_error);
  EXPECT_NE(answer->body.find("Unauthorized"), std::string::npos) << answer->body;
}

}  // namespace
}  // namespace lambda
