#pragma once
// Display names and room names: what is accepted, and the defaults.
#include <string>
#include <string_view>

namespace handlers {

inline constexpr std::string_view default_room = "lobby";
inline constexpr std::size_t max_name_length = 32;
inline constexpr std::size_t max_room_length = 64;

// 1-32 characters of ASCII letters, digits, space, '_', '-', '.'; no leading/trailing space.
bool valid_name(std::string_view name);
// 1-64 characters of ASCII letters, digits, '_', '-', '.'.
bool valid_room(std::string_view room);
// "guest-" plus four characters derived from the connection id.
std::string guest_name(std::string_view connection_id);

}  // namespace handlers
