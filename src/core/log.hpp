#pragma once
// Structured logging: one JSON object per line on stderr, with the fields CloudWatch users know.
#include <boost/json/object.hpp>
#include <string_view>

namespace core::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3 };

void set_level(level l);
level parse_level(std::string_view name);  // "debug", "info", "warn", "error"; else info
bool enabled(level l);

// Writes {"ts":..., "level":..., "msg":..., ...fields} as one line; thread-safe.
void write(level l, std::string_view msg, boost::json::object fields = {});

inline void debug(std::string_view m, boost::json::object f = {}) { write(level::debug, m, std::move(f)); }
inline void info(std::string_view m, boost::json::object f = {}) { write(level::info, m, std::move(f)); }
inline void warn(std::string_view m, boost::json::object f = {}) { write(level::warn, m, std::move(f)); }
inline void error(std::string_view m, boost::json::object f = {}) { write(level::error, m, std::move(f)); }

}  // namespace core::log
