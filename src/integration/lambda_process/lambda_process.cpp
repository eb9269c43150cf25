#include "integration/lambda_process/lambda_process.hpp"

#include <future>
#include <random>
#include <stdexcept>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "apigw/event_codec.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "integration/lambda_process/function_pool.hpp"

namespace integration::lambda_process {
namespace net = boost::asio;

namespace {

// Lambda's request ids are UUIDs (version 4).
std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string s(36, '-');
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    s[i] = hex[rng() & 15u];
  }
  s[14] = '4';
  s[19] = hex[8 + (rng() & 3u)];
  return s;
}

std::vector<std::string> environment_of(const ProcessOptions& o, const FunctionConfig& f,
                                        const std::filesystem::path& task_root) {
  // What Lambda sets for a provided.al2023 function (aws-contract.md §5.1), then the
  // function's own variables, then the local-only ones.
  std::vector<std::pair<std::string, std::string>> vars = {
      {"PATH", "/usr/local/bin:/usr/bin/:/bin:/opt/bin"},
      {"LANG", "en_US.UTF-8"},
      {"TZ", "UTC"},
      {"LAMBDA_TASK_ROOT", task_root.string()},
      {"LAMBDA_RUNTIME_DIR", task_root.string()},
      {"_HANDLER", f.handler},
      {"AWS_REGION", o.region},
      {"AWS_DEFAULT_REGION", o.region},
      {"AWS_LAMBDA_FUNCTION_NAME", f.name},
      {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", std::to_string(f.memory_mb)},
      {"AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"},
      {"AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"},
      {"AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + f.name},
  };
  for (const auto& v : f.runtime_variables) vars.push_back(v);
  for (const auto& v : f.variables) vars.push_back(v);
  for (const auto& v : o.local_variables) vars.push_back(v);
  std::vector<std::string> out;
  out.reserve(vars.size());
  for (auto& [k, v] : vars) out.push_back(k + "=" + v);
  return out;
}

}  // namespace

LambdaProcess::LambdaProcess(ProcessOptions options, std::vector<FunctionConfig> functions,
                             std::map<std::string, std::string> routes)
    : options_(std::move(options)), routes_(std::move(routes)), work_(io_.get_executor()),
      unreserved_(std::make_unique<UnreservedConcurrency>()) {
  std::error_code ec;
  auto bootstrap = std::filesystem::absolute(options_.bootstrap, ec);
  if (ec) bootstrap = options_.bootstrap;
  unsigned reserved_total = 0;
  for (const auto& f : functions) reserved_total += f.reserved_concurrency.value_or(0);
  // AWS keeps at least 100 of the account's concurrency unreserved.
  unreserved_->limit = options_.account_concurrency > reserved_total
                           ? options_.account_concurrency - reserved_total
                           : 0;
  for (const auto& f : functions) {
    EnvironmentSetup setup;
    setup.bootstrap = f.executable.empty() ? bootstrap : f.executable;
    setup.args = f.args;
    setup.runtime = f.runtime;
    setup.memory_mb = f.memory_mb;
    setup.task_root = f.task_root.empty() ? setup.bootstrap.parent_path() : f.task_root;
    setup.env = environment_of(options_, f, setup.task_root);
    setup.function_name = f.name;
    setup.function_arn =
        "arn:aws:lambda:" + options_.region + ":" + options_.account_id + ":function:" + f.name;
    setup.timeout = f.timeout;
    setup.init_limit = options_.init_limit;
    pools_[f.name] = std::make_unique<FunctionPool>(
        io_, std::move(setup), f.reserved_concurrency, *unreserved_, options_.idle_limit,
        options_.hot_reload ? f.code_dir : std::filesystem::path());
  }
  for (const auto& [key, fn] : routes_)
    if (!pools_.contains(fn))
      throw std::invalid_argument("route " + key + " names no function (" + fn + ")");
  thread_ = std::thread([this] { io_.run(); });
}

LambdaProcess::~LambdaProcess() {
  if (!drained_) drain(std::chrono::milliseconds(0));
}

std::vector<std::string> LambdaProcess::route_keys() const {
  std::vector<std::string> keys;
  for (const auto& [key, fn] : routes_) keys.push_back(key);
  return keys;
}

void LambdaProcess::invoke(apigw::Event event, std::function<void(gateway::InvokeResult)> done) {
  auto route = routes_.find(event.request_context.route_key);
  if (route == routes_.end()) {
    gateway::InvokeResult r;
    r.status = gateway::InvokeResult::Status::error;
    r.error_message = "no function for route " + event.request_context.route_key;
    done(std::move(r));
    return;
  }
  post_invocation(*pools_.at(route->second), apigw::encode(event), false, std::move(done));
}

void LambdaProcess::invoke_function(const std::string& function, std::string payload,
                                    std::function<void(gateway::InvokeResult)> done) {
  auto pool = pools_.find(function);
  if (pool == pools_.end()) {
    done(lambda_error("ResourceNotFoundException", "Function not found: " + function));
    return;
  }
  post_invocation(*pool->second, std::move(payload), true, std::move(done));
}

void LambdaProcess::post_invocation(FunctionPool& pool, std::string payload, bool raw,
                                    std::function<void(gateway::InvokeResult)> done) {
  Invocation inv;
  inv.request_id = new_request_id();
  inv.payload = std::move(payload);
  inv.raw_response = raw;
  inv.trace_id = core::new_trace_id(core::now_ms() / 1000) + ";Parent=" +
                 core::new_hex_id().substr(0, 16) + ";Sampled=0";
  inv.done = std::move(done);
  net::post(io_, [pool = &pool, inv = std::move(inv)]() mutable { pool->invoke(std::move(inv)); });
}

void LambdaProcess::drain(std::chrono::milliseconds grace) {
  if (drained_) return;
  drained_ = true;
  // Polls on the io thread until nothing runs or the grace has passed.
  const auto until = std::chrono::steady_clock::now() + grace;
  for (;;) {
    std::promise<std::size_t> busy;
    auto f = busy.get_future();
    net::post(io_, [&] {
      std::size_t n = 0;
      for (auto& [name, pool] : pools_) n += pool->busy();
      busy.set_value(n);
    });
    if (f.get() == 0 || std::chrono::steady_clock::now() >= until) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // SIGTERM, then SIGKILL a second later; the io thread runs until every process is reaped.
  std::promise<void> stopped;
  net::post(io_, [&] {
    for (auto& [name, pool] : pools_) pool->stop_all(std::chrono::milliseconds(1000));
    stopped.set_value();
  });
  stopped.get_future().get();
  const auto hard_until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  for (;;) {
    std::promise<std::size_t> left;
    auto f = left.get_future();
    net::post(io_, [&] {
      std::size_t n = 0;
      for (auto& [name, pool] : pools_) n += pool->environments();
      left.set_value(n);
    });
    if (f.get() == 0 || std::chrono::steady_clock::now() >= hard_until) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
  pools_.clear();  // any environment left is killed and reaped by its destructor
}

void LambdaProcess::set_variable(const std::string& name, const std::string& value) {
  std::promise<void> p;
  net::post(io_, [&] {
    for (auto& [fn, pool] : pools_) pool->set_variable(name, value);
    p.set_value();
  });
  p.get_future().get();
}

boost::json::object LambdaProcess::describe_functions() {
  if (drained_) return {};
  auto done = std::make_shared<std::promise<boost::json::object>>();
  auto answer = done->get_future();
  net::post(io_, [this, done] {
    boost::json::array list;
    for (auto& [name, pool] : pools_) list.push_back(pool->describe());
    boost::json::object o;
    o["functions"] = std::move(list);
    done->set_value(std::move(o));
  });
  // A busy io thread costs this second's panel, not the sampler's loop.
  if (answer.wait_for(std::chrono::milliseconds(200)) != std::future_status::ready) return {};
  return answer.get();
}

std::map<std::string, std::size_t> LambdaProcess::environments() {
  std::map<std::string, std::size_t> out;
  if (drained_) return out;
  std::promise<void> p;
  net::post(io_, [&] {
    for (auto& [name, pool] : pools_) out[name] = pool->environments();
    p.set_value();
  });
  p.get_future().get();
  return out;
}

}  // namespace integration::lambda_process
