#include "core/clock.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace core {
namespace {

std::tm utc(std::int64_t epoch_ms) {
  std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

}  // namespace

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string iso8601_ms(std::int64_t epoch_ms) {
  const std::tm tm = utc(epoch_ms);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(epoch_ms % 1000));
  return buf;
}

std::string clf_time(std::int64_t epoch_ms) {
  // Every event carries this; formatting it once a second per thread spares gmtime and printf.
  thread_local std::int64_t cached_second = -1;
  thread_local std::string cached;
  const std::int64_t second = epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000;
  if (second == cached_second) return cached;
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::tm tm = utc(epoch_ms);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02d/%s/%04d:%02d:%02d:%02d +0000", tm.tm_mday,
                months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  cached = buf;
  cached_second = second;
  return cached;
}

}  // namespace core
