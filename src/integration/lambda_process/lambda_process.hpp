#pragma once
// The gateway's Integration port over Lambda functions run locally as Lambda runs them: each
// route's function is a pool of `bootstrap` processes (execution environments) served the
// Runtime API by this process (`parley serve --lambda process`, docs/lambda-local.md).
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "gateway/integration.hpp"

namespace integration::lambda_process {

class FunctionPool;
struct UnreservedConcurrency;

struct FunctionConfig {
  std::string name;     // AWS_LAMBDA_FUNCTION_NAME
  std::string handler;  // _HANDLER
  std::string runtime;  // the template's Runtime (for the log)
  // What runs (runtimes.hpp's Launch); an empty executable runs ProcessOptions::bootstrap.
  std::filesystem::path executable;
  std::vector<std::string> args;
  std::filesystem::path task_root;
  std::filesystem::path code_dir;  // watched for hot reload when set
  std::vector<std::pair<std::string, std::string>> runtime_variables;  // before the template's
  std::chrono::milliseconds timeout{3000};
  int memory_mb = 128;
  std::optional<unsigned> reserved_concurrency;
  std::vector<std::pair<std::string, std::string>> variables;  // the function's Environment
};

struct ProcessOptions {
  std::filesystem::path bootstrap;  // what a function without its own executable runs
  std::string region = "us-east-1";
  std::string account_id = "123456789012";
  unsigned account_concurrency = 1000;  // Lambda's default account limit
  std::chrono::milliseconds init_limit{10'000};
  // A warm environment unused this long is stopped (Lambda reclaims idle ones after minutes).
  std::chrono::milliseconds idle_limit{300'000};
  // A change under a function's code_dir retires its warm environments (hot reload).
  bool hot_reload = true;
  // Set in every environment after the Lambda ones (store, management endpoint, credentials).
  std::vector<std::pair<std::string, std::string>> local_variables;
};

class LambdaProcess final : public gateway::Integration {
 public:
  // routes: route key → function name (a key of `functions`). Throws std::invalid_argument
  // when a route names no function.
  LambdaProcess(ProcessOptions options, std::vector<FunctionConfig> functions,
                std::map<std::string, std::string> routes);
  ~LambdaProcess() override;

  std::vector<std::string> route_keys() const override;
  void invoke(apigw::Event event, std::function<void(gateway::InvokeResult)> done) override;

  // Invokes the function `function` (a key of the functions given) with a payload that is not
  // an API Gateway proxy event (an authorizer's REQUEST event); its answer comes back whole in
  // InvokeResult::response.body. An unknown function fails the invocation.
  void invoke_function(const std::string& function, std::string payload,
                       std::function<void(gateway::InvokeResult)> done);

  // Waits up to `grace` for the invocations in flight (the $disconnects of a shutdown), then
  // stops every process (SIGTERM, SIGKILL a second later) and the Runtime API.
  void drain(std::chrono::milliseconds grace);

  // Sets NAME=value in every environment started from now on (the management endpoint, known
  // once the gateway listens). Thread-safe.
  void set_variable(const std::string& name, const std::string& value);

  // The inspector's Functions panel; thread-safe (asks the io thread, waits at most 200 ms).
  boost::json::object describe_functions() override;

  // Environments (processes) per function, for tests and logs; thread-safe.
  std::map<std::string, std::size_t> environments();

 private:
  void post_invocation(FunctionPool& pool, std::string payload, bool raw,
                       std::function<void(gateway::InvokeResult)> done);

  ProcessOptions options_;
  std::map<std::string, std::string> routes_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<UnreservedConcurrency> unreserved_;
  std::map<std::string, std::unique_ptr<FunctionPool>> pools_;  // by function name
  std::thread thread_;
  bool drained_ = false;
};

}  // namespace integration::lambda_process
