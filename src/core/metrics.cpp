#include "core/metrics.hpp"

#include <cstdio>

namespace core::metrics {

void Histogram::observe(double seconds) {
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (seconds <= bounds[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

std::array<std::uint64_t, Histogram::bounds.size()> Histogram::buckets() const {
  std::array<std::uint64_t, bounds.size()> out{};
  for (std::size_t i = 0; i < bounds.size(); ++i) out[i] = buckets_[i].load(std::memory_order_relaxed);
  return out;
}

std::vector<const Histogram*> Registry::histograms(const std::string& name) const {
  std::lock_guard lock(mutex_);
  std::vector<const Histogram*> out;
  auto f = families_.find(name);
  if (f == families_.end()) return out;
  for (const auto& [labels, h] : f->second.histograms) out.push_back(h.get());
  return out;
}

Registry::Family& Registry::family(const std::string& name, const std::string& help,
                                   const char* type) {
  auto& f = families_[name];
  if (f.type.empty()) {
    f.help = help;
    f.type = type;
  }
  return f;
}

Counter& Registry::counter(const std::string& name, const std::string& help,
                           const std::string& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, help, "counter").counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help,
                               const std::string& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, help, "histogram").histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>();
  return *slot;
}

void Registry::gauge(const std::string& name, const std::string& help,
                     std::function<double()> read) {
  std::lock_guard lock(mutex_);
  family(name, help, "gauge").gauge = std::move(read);
}

namespace {

std::string braces(const std::string& labels, const std::string& extra = {}) {
  std::string inner = labels;
  if (!extra.empty()) inner += (inner.empty() ? "" : ",") + extra;
  return inner.empty() ? std::string() : "{" + inner + "}";
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

std::string Registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + f.type + "\n";
    if (f.gauge) out += name + " " + number(f.gauge()) + "\n";
    for (const auto& [labels, c] : f.counters)
      out += name + braces(labels) + " " + std::to_string(c->value()) + "\n";
    for (const auto& [labels, h] : f.histograms) {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < Histogram::bounds.size(); ++i) {
        cumulative += h->buckets_[i].load(std::memory_order_relaxed);
        out += name + "_bucket" + braces(labels, "le=\"" + number(Histogram::bounds[i]) + "\"") +
               " " + std::to_string(cumulative) + "\n";
      }
      out += name + "_bucket" + braces(labels, "le=\"+Inf\"") + " " + std::to_string(h->count()) +
             "\n";
      out += name + "_sum" + braces(labels) + " " +
             number(static_cast<double>(h->sum_ns_.load(std::memory_order_relaxed)) / 1e9) + "\n";
      out += name + "_count" + braces(labels) + " " + std::to_string(h->count()) + "\n";
    }
  }
  return out;
}

Registry& registry() {
  static Registry instance;
  return instance;
}

}  // namespace core::metrics
