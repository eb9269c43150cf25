#include "handlers/names.hpp"

#include <algorithm>
#include <cctype>

namespace handlers {
namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

}  // namespace

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > max_name_length) return false;
  if (name.front() == ' ' || name.back() == ' ') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return is_alnum(c) || c == ' ' || c == '_' || c == '-' || c == '.';
  });
}

bool valid_room(std::string_view room) {
  if (room.empty() || room.size() > max_room_length) return false;
  return std::all_of(room.begin(), room.end(),
                     [](char c) { return is_alnum(c) || c == '_' || c == '-' || c == '.'; });
}

std::string guest_name(std::string_view connection_id) {
  std::string suffix;
  for (char c : connection_id) {
    if (is_alnum(c)) suffix.push_back(c);
    if (suffix.size() == 4) break;
  }
  return "guest-" + suffix;
}

}  // namespace handlers
