#include "core/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

#include <boost/json/serialize.hpp>

#include "core/clock.hpp"

namespace core::log {
namespace {
std::atomic<int> current{static_cast<int>(level::info)};
std::mutex out_mutex;
constexpr const char* names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
}  // namespace

void set_level(level l) { current.store(static_cast<int>(l)); }

level parse_level(std::string_view name) {
  if (name == "debug") return level::debug;
  if (name == "warn") return level::warn;
  if (name == "error") return level::error;
  return level::info;
}

bool enabled(level l) { return static_cast<int>(l) >= current.load(std::memory_order_relaxed); }

void write(level l, std::string_view msg, boost::json::object fields) {
  if (!enabled(l)) return;
  boost::json::object line;
  line["ts"] = iso8601_ms(now_ms());
  line["level"] = names[static_cast<int>(l)];
  line["msg"] = msg;
  for (auto& kv : fields) line[kv.key()] = std::move(kv.value());
  std::string text = boost::json::serialize(line);
  text.push_back('\n');
  std::lock_guard lock(out_mutex);
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace core::log
