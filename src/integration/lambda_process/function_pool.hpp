#pragma once
// The execution environments of one function, as Lambda keeps them: an invocation goes to a
// warm environment when one is free, else to a new one (a cold start) while the function's
// concurrency allows, else it is throttled (TooManyRequestsException, which API Gateway turns
// into an integration failure). Environments stay warm after their invocation; one whose
// process ended (crash, timeout, init error) is dropped and the next invocation starts another.
#include <chrono>
#include <deque>

#include <boost/json/object.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/metrics.hpp"
#include "integration/lambda_process/code_watch.hpp"
#include "integration/lambda_process/execution_environment.hpp"

namespace integration::lambda_process {

// The account's concurrency, shared by every function without reserved concurrency (on AWS:
// the account limit minus what functions reserve).
struct UnreservedConcurrency {
  unsigned limit = 1000;
  unsigned in_use = 0;
};

class FunctionPool {
 public:
  // reserved: ReservedConcurrentExecutions (0 throttles every invocation, as on AWS);
  // nullopt: the function draws on `unreserved`.
  // idle_limit: a warm environment unused that long is stopped, as Lambda reclaims idle ones.
  // code_dir (when not empty): a change under it retires the warm environments, so that the
  // next invocation cold-starts on the new code (hot reload).
  FunctionPool(boost::asio::io_context& io, EnvironmentSetup setup, std::optional<unsigned> reserved,
               UnreservedConcurrency& unreserved, std::chrono::milliseconds idle_limit,
               const std::filesystem::path& code_dir = {});
  ~FunctionPool();

  const std::string& name() const { return setup_.function_name; }
  // On the io_context.
  void invoke(Invocation inv);
  std::size_t environments() const { return environments_.size(); }
  std::size_t busy() const;
  // Stops every environment (see ExecutionEnvironment::stop).
  void stop_all(std::chrono::milliseconds grace);
  // For the inspector: environments, busy, cold starts, throttles, timeouts, exits and the
  // last log lines. On the io_context.
  boost::json::object describe() const;
  // Sets NAME=value for the environments started from now on.
  void set_variable(const std::string& name, const std::string& value);

 private:
  bool may_start_another() const;
  void schedule_reclaim();
  void remove(ExecutionEnvironment& env);
  void code_changed();

  boost::asio::io_context& io_;
  EnvironmentSetup setup_;  // the environments refer to it
  std::optional<unsigned> reserved_;
  UnreservedConcurrency& unreserved_;
  std::chrono::milliseconds idle_limit_;
  boost::asio::steady_timer reclaim_timer_;
  bool stopped_ = false;
  std::vector<std::shared_ptr<ExecutionEnvironment>> environments_;
  unsigned next_serial_ = 1;
  unsigned code_generation_ = 0;  // bumped by every change of the code
  std::unique_ptr<CodeWatch> watch_;
  // parley_lambda_cold_starts_total, _throttles_total, _environment_exits_total{function=...}
  core::metrics::Counter& cold_starts_;
  core::metrics::Counter& throttles_;
  core::metrics::Counter& exits_;
  // This pool's own counts and log lines, for describe().
  std::uint64_t started_ = 0, throttled_ = 0, timeouts_ = 0, ended_ = 0;
  std::deque<std::string> recent_log_;
};

}  // namespace integration::lambda_process
