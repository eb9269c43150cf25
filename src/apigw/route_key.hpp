#pragma once
// The reserved route keys of an API Gateway WebSocket API.
#include <string_view>

namespace apigw::route_key {

inline constexpr std::string_view connect = "$connect";
inline constexpr std::string_view disconnect = "$disconnect";
inline constexpr std::string_view default_ = "$default";

// Custom route keys may not start with '$' (reserved for the three above).
inline bool is_reserved(std::string_view key) { return !key.empty() && key.front() == '$'; }

}  // namespace apigw::route_key
