#pragma once
// One Lambda execution environment: a `bootstrap` process and the Runtime API it talks to
// (aws-contract.md §5.2), on a listener of its own on 127.0.0.1, so that
// AWS_LAMBDA_RUNTIME_API names exactly this environment. It runs one invocation at a time:
// GET /runtime/invocation/next is held until one is assigned, then answered with the event and
// the Lambda-Runtime-* headers; POST .../{id}/response or .../{id}/error completes it.
//
// Failures are reported as Lambda reports them to API Gateway (an InvokeResult error whose
// message carries Lambda's errorType): past the function timeout the process is killed
// (Sandbox.Timedout); a process that exits mid-invocation is Runtime.ExitError; one that posts
// /runtime/init/error reports that error (and is stopped); a runtime that does not ask for its
// first event within the init limit is killed (Runtime.InitTimeout). An environment whose
// process has gone is never reused: the pool starts a fresh one for the next invocation.
//
// Everything here runs on one single-threaded io_context (the integration's), so no locks.
#include <array>
#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gateway/integration.hpp"
#include "integration/lambda_process/function_log.hpp"

namespace integration::lambda_process {

// One request for a function, as the Lambda service holds it.
struct Invocation {
  std::string request_id;  // Lambda-Runtime-Aws-Request-Id (a UUID)
  std::string payload;     // the event JSON
  std::string trace_id;    // Lambda-Runtime-Trace-Id
  // The answer is not an API Gateway proxy response (an authorizer's policy): it is handed
  // back whole, as InvokeResult::response.body, instead of being decoded.
  bool raw_response = false;
  std::function<void(gateway::InvokeResult)> done;
};

// What every environment of one function shares.
struct EnvironmentSetup {
  std::filesystem::path bootstrap;    // the executable: a bootstrap, or python3 / node
  std::vector<std::string> args;      // its arguments (the runtime client's file)
  std::string runtime;                // for the log's INIT_START line
  int memory_mb = 128;                // for the log's REPORT line
  std::filesystem::path task_root;    // the working directory, LAMBDA_TASK_ROOT
  std::vector<std::string> env;       // "NAME=value", without AWS_LAMBDA_RUNTIME_API
  std::string function_name;
  std::string function_arn;           // Lambda-Runtime-Invoked-Function-Arn
  std::chrono::milliseconds timeout;  // the function's Timeout
  std::chrono::milliseconds init_limit{10'000};  // Lambda's init phase limit
  // The function's last log lines, for the inspector (kept by its pool; io thread only).
  std::deque<std::string>* recent_log = nullptr;
};

// "Sandbox.Timedout: ..." etc.: how a Lambda error reads in InvokeResult::error_message.
gateway::InvokeResult lambda_error(const std::string& error_type, const std::string& message);

class ExecutionEnvironment : public std::enable_shared_from_this<ExecutionEnvironment> {
 public:
  // Called once, on the io_context, after the process has gone and been reaped.
  using ExitHandler = std::function<void(ExecutionEnvironment&)>;

  ExecutionEnvironment(boost::asio::io_context& io, const EnvironmentSetup& setup, unsigned serial,
                       ExitHandler on_exit);
  ~ExecutionEnvironment();

  // Opens the listener and starts the process (a cold start) with `first` waiting for it.
  // When it cannot start, `first` fails with Runtime.InvalidEntrypoint and on_exit is called.
  void start(Invocation first);
  // Hands an invocation to this warm environment. Precondition: available().
  void assign(Invocation inv);
  // Alive, initialised or starting, and not running an invocation.
  bool available() const { return !gone_ && !stopping_ && !current_; }
  bool busy() const { return current_.has_value(); }
  // When it last finished an invocation (or started).
  std::chrono::steady_clock::time_point idle_since() const { return idle_since_; }
  bool gone() const { return gone_; }
  pid_t pid() const { return pid_; }
  unsigned serial() const { return serial_; }
  // The function's code as of this environment's start (FunctionPool's hot reload).
  unsigned code_generation = 0;

  // SIGTERM (then SIGKILL after `grace` if it is still there), or SIGKILL at once when grace
  // is zero. The running invocation, if any, fails as Runtime.ExitError when it exits.
  void stop(std::chrono::milliseconds grace);

 private:
  struct Current {
    Invocation inv;
    bool delivered = false;
  };

  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);
  void watch_exit();
  void on_exited(const std::string& how);
  void deliver_started();
  void finish(gateway::InvokeResult r);
  void kill_now(const char* why);
  void read_output();
  void drain_output();
  std::string output_request_id() const;

  boost::asio::io_context& io_;
  const EnvironmentSetup& setup_;
  unsigned serial_;
  ExitHandler on_exit_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::posix::stream_descriptor pidfd_;
  boost::asio::posix::stream_descriptor output_;  // the process's stdout+stderr
  std::array<char, 8192> output_buffer_;
  FunctionLog log_;
  std::chrono::steady_clock::time_point spawned_at_, delivered_at_;
  std::optional<std::chrono::nanoseconds> init_duration_;  // reported with the first REPORT
  boost::asio::steady_timer next_waiter_;  // a parked GET /next waits on it; cancel wakes it
  boost::asio::steady_timer deadline_;     // init limit, then the invocation's timeout
  boost::asio::steady_timer stop_timer_;
  pid_t pid_ = -1;
  bool initialised_ = false;  // the runtime asked for its first event
  unsigned next_generation_ = 0;  // the newest GET /next; an older parked one gives way
  bool gone_ = false;
  bool stopping_ = false;
  std::optional<Current> current_;
  std::string last_answered_;    // a second answer to it is InvalidStateTransition
  std::chrono::steady_clock::time_point idle_since_ = std::chrono::steady_clock::now();
  std::optional<gateway::InvokeResult> init_error_;  // from /runtime/init/error
};

}  // namespace integration::lambda_process
