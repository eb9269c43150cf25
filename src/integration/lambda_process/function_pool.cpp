#include "integration/lambda_process/function_pool.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "core/log.hpp"

namespace integration::lambda_process {

FunctionPool::FunctionPool(boost::asio::io_context& io, EnvironmentSetup setup,
                           std::optional<unsigned> reserved, UnreservedConcurrency& unreserved,
                           std::chrono::milliseconds idle_limit,
                           const std::filesystem::path& code_dir)
    : io_(io), setup_(std::move(setup)), reserved_(reserved), unreserved_(unreserved),
      idle_limit_(idle_limit), reclaim_timer_(io),
      cold_starts_(core::metrics::registry().counter(
          "parley_lambda_cold_starts_total", "Execution environments started (process mode)",
          "function=\"" + setup_.function_name + "\"")),
      throttles_(core::metrics::registry().counter(
          "parley_lambda_throttles_total",
          "Invocations refused beyond the function's concurrency (process mode)",
          "function=\"" + setup_.function_name + "\"")),
      exits_(core::metrics::registry().counter(
          "parley_lambda_environment_exits_total",
          "Execution environments whose process ended (crash, timeout, init error, shutdown)",
          "function=\"" + setup_.function_name + "\"")) {
  setup_.recent_log = &recent_log_;
  schedule_reclaim();
  if (!code_dir.empty())
    watch_ = std::make_unique<CodeWatch>(io_, code_dir, [this] { code_changed(); });
}

void FunctionPool::code_changed() {
  if (stopped_) return;
  ++code_generation_;
  // The free ones go now; a busy one finishes its invocation and is stopped when next free.
  std::size_t retired = 0;
  for (auto& e : environments_)
    if (e->available()) {
      e->stop(std::chrono::milliseconds(1000));
      ++retired;
    }
  core::log::info("lambda code changed: warm environments retired",
                  {{"function", setup_.function_name}, {"retired", retired}});
}

void FunctionPool::schedule_reclaim() {
  // Checked a few times per idle limit, at most once a second.
  reclaim_timer_.expires_after(std::clamp(idle_limit_ / 4, std::chrono::milliseconds(100),
                                          std::chrono::milliseconds(1000)));
  reclaim_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    const auto now = std::chrono::steady_clock::now();
    for (auto& e : environments_)
      if (e->available() && now - e->idle_since() >= idle_limit_) {
        core::log::info("lambda environment reclaimed",
                        {{"function", setup_.function_name}, {"pid", e->pid()}});
        e->stop(std::chrono::milliseconds(1000));
      }
    schedule_reclaim();
  });
}

FunctionPool::~FunctionPool() {
  if (!reserved_) unreserved_.in_use -= static_cast<unsigned>(environments_.size());
}

std::size_t FunctionPool::busy() const {
  return static_cast<std::size_t>(std::count_if(environments_.begin(), environments_.end(),
                                                [](const auto& e) { return e->busy(); }));
}

bool FunctionPool::may_start_another() const {
  if (reserved_) return environments_.size() < *reserved_;
  return unreserved_.in_use < unreserved_.limit;
}

namespace {

// Tells the result which function and environment ran it, and whether cold (the inspector).
void tag(Invocation& inv, const std::string& function, unsigned environment, bool cold,
         std::uint64_t* timeouts) {
  inv.done = [done = std::move(inv.done), function, environment, cold,
              timeouts](gateway::InvokeResult r) mutable {
    r.function = function;
    r.environment = environment;
    r.cold_start = cold;
    if (r.status == gateway::InvokeResult::Status::error &&
        r.error_message.find("Sandbox.Timedout") != std::string::npos)
      ++*timeouts;  // done runs on the io_context, as describe() does
    done(std::move(r));
  };
}

}  // namespace

boost::json::object FunctionPool::describe() const {
  boost::json::object f;
  f["name"] = setup_.function_name;
  f["environments"] = environments_.size();
  f["busy"] = busy();
  f["coldStarts"] = started_;
  f["throttles"] = throttled_;
  f["timeouts"] = timeouts_;
  f["exits"] = ended_;
  f["reserved"] = reserved_ ? boost::json::value(*reserved_) : boost::json::value(nullptr);
  boost::json::array log;
  for (const auto& line : recent_log_) log.emplace_back(line);
  f["log"] = std::move(log);
  return f;
}

void FunctionPool::invoke(Invocation inv) {
  // The most recently used free environment first: the others can then be reclaimed.
  for (auto it = environments_.rbegin(); it != environments_.rend(); ++it) {
    if (!(*it)->available()) continue;
    if ((*it)->code_generation != code_generation_) {
      (*it)->stop(std::chrono::milliseconds(1000));  // older code: retired (hot reload)
      continue;
    }
    tag(inv, setup_.function_name, (*it)->serial(), false, &timeouts_);
    (*it)->assign(std::move(inv));
    return;
  }
  if (!may_start_another()) {
    core::log::warn("lambda throttled", {{"function", setup_.function_name},
                                         {"environments", environments_.size()}});
    throttles_.inc();
    ++throttled_;
    tag(inv, setup_.function_name, 0, false, &timeouts_);
    inv.done(lambda_error("TooManyRequestsException", "Rate Exceeded."));
    return;
  }
  auto env = std::make_shared<ExecutionEnvironment>(
      io_, setup_, next_serial_++, [this](ExecutionEnvironment& e) { remove(e); });
  env->code_generation = code_generation_;
  environments_.push_back(env);
  if (!reserved_) ++unreserved_.in_use;
  cold_starts_.inc();
  ++started_;
  tag(inv, setup_.function_name, env->serial(), true, &timeouts_);
  env->start(std::move(inv));
}

void FunctionPool::remove(ExecutionEnvironment& env) {
  auto it = std::find_if(environments_.begin(), environments_.end(),
                         [&](const auto& e) { return e.get() == &env; });
  if (it == environments_.end()) return;
  environments_.erase(it);
  exits_.inc();
  ++ended_;
  if (!reserved_) --unreserved_.in_use;
}

void FunctionPool::stop_all(std::chrono::milliseconds grace) {
  stopped_ = true;
  reclaim_timer_.cancel();
  for (auto& e : environments_) e->stop(grace);
}

void FunctionPool::set_variable(const std::string& name, const std::string& value) {
  const std::string prefix = name + "=";
  std::erase_if(setup_.env, [&](const std::string& e) { return e.starts_with(prefix); });
  setup_.env.push_back(prefix + value);
}

}  // namespace integration::lambda_process
