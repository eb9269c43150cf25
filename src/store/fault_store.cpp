#include "store/fault_store.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "core/log.hpp"
#include "core/metrics.hpp"

namespace store {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t from = 0;
  for (;;) {
    const auto at = s.find(sep, from);
    out.push_back(s.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (at == std::string::npos) return out;
    from = at + 1;
  }
}

double probability(const std::string& s, const std::string& rule) {
  std::size_t used = 0;
  double p = -1;
  try { p = std::stod(s, &used); } catch (const std::exception&) { used = 0; }
  if (used != s.size() || !(p >= 0 && p <= 1))
    throw std::invalid_argument("--store-faults: '" + s + "' in '" + rule + "' is not a probability in [0, 1]");
  return p;
}

int milliseconds(const std::string& s, const std::string& rule) {
  std::size_t used = 0;
  long ms = -1;
  try { ms = std::stol(s, &used); } catch (const std::exception&) { used = 0; }
  if (used != s.size() || ms < 0 || ms > 600000)
    throw std::invalid_argument("--store-faults: '" + s + "' in '" + rule + "' is not a delay of 0 to 600000 ms");
  return static_cast<int>(ms);
}

}  // namespace

FaultSpec parse_fault_spec(const std::string& spec) {
  FaultSpec out;
  for (const auto& item : split(spec, ';')) {
    if (item.empty()) continue;
    if (item.rfind("seed=", 0) == 0) {
      std::size_t used = 0;
      try { out.seed = std::stoull(item.substr(5), &used); } catch (const std::exception&) { used = 0; }
      if (used == 0 || used != item.size() - 5)
        throw std::invalid_argument("--store-faults: '" + item + "' needs a whole number");
      continue;
    }
    const auto parts = split(item, ':');
    FaultRule rule;
    if (parts.size() == 3 && parts[1] == "error") {
      rule.kind = FaultRule::error;
    } else if (parts.size() == 4 && parts[1] == "delay") {
      rule.kind = FaultRule::delay;
      rule.delay_ms = milliseconds(parts[3], item);
    } else {
      throw std::invalid_argument("--store-faults: '" + item +
                                  "' is neither OPS:error:P nor OPS:delay:P:MS");
    }
    rule.probability = probability(parts[2], item);
    if (parts[0] != "*") {  // the names of parley_store_seconds{op}
      for (const auto& op : split(parts[0], '+')) {
        if (std::find_if(std::begin(op_names), std::end(op_names),
                         [&](const char* n) { return op == n; }) == std::end(op_names))
          throw std::invalid_argument("--store-faults: unknown store operation '" + op + "' in '" + item + "'");
        rule.ops.push_back(op);
      }
    }
    out.rules.push_back(std::move(rule));
  }
  return out;
}

Faulty::Faulty(Tables inner, FaultSpec spec)
    : Wrapping(inner), spec_(std::move(spec)), rng_(spec_.seed) {}

boost::system::error_code Faulty::before(Op which) {
  const std::string op = op_names[static_cast<int>(which)];
  int delay_ms = 0;
  bool fail = false;
  {
    std::lock_guard lock(mutex_);
    std::uniform_real_distribution<double> coin(0.0, 1.0);
    for (const auto& rule : spec_.rules) {
      if (!rule.ops.empty() && std::find(rule.ops.begin(), rule.ops.end(), op) == rule.ops.end())
        continue;
      if (coin(rng_) >= rule.probability) continue;
      if (rule.kind == FaultRule::delay) delay_ms += rule.delay_ms;
      else fail = true;
    }
  }
  auto& reg = core::metrics::registry();
  const std::string help = "Store calls the --store-faults test hook failed or delayed";
  // Logged one by one: the fault suite puts them in the trace of a violation.
  if (delay_ms > 0) {
    reg.counter("parley_store_faults_injected_total", help, "op=\"" + op + "\",kind=\"delay\"").inc();
    core::log::info("store fault injected", {{"op", op}, {"kind", "delay"}, {"ms", delay_ms}});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  }
  if (!fail) return {};
  reg.counter("parley_store_faults_injected_total", help, "op=\"" + op + "\",kind=\"error\"").inc();
  core::log::info("store fault injected", {{"op", op}, {"kind", "error"}});
  return core::make_error_code(core::errc::store_unavailable);
}

}  // namespace store
