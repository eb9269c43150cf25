#include "handlers/names.hpp"

#include <algorithm>
#include <cctype>

namespace handlers {
namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// "dmu:" (user ids), not version 3's "dm:" (names): the rows keyed by names stay where they
// are and no key of the new form can equal one of them (docs/data-model.md).
constexpr std::string_view dm_prefix = "dmu:";

// A user id in a dm key: ':' and '%' escaped, so that the key splits into its two ids whatever
// characters a token's sub holds.
std::string dm_key_part(std::string_view user_id) {
  std::string out;
  for (char c : user_id) {
    if (c == '%') out += "%25";
    else if (c == ':') out += "%3A";
    else out.push_back(c);
  }
  return out;
}

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

std::string unique_name(std::string_view wanted, const std::vector<std::string>& taken,
                        std::string_view connection_id) {
  return unique_name(
      wanted,
      [&](std::string_view n) {
        return std::any_of(taken.begin(), taken.end(),
                           [&](const std::string& t) { return same_name(t, n); });
      },
      connection_id);
}

std::string unique_name(std::string_view wanted,
                        const std::function<bool(std::string_view)>& is_taken,
                        std::string_view connection_id) {
  if (!is_taken(wanted)) return std::string(wanted);
  // Suffixes from successive characters of the connection id, which is unique.
  std::string alnum;
  for (char c : connection_id)
    if (is_alnum(c)) alnum.push_back(c);
  const std::string base(wanted.substr(0, max_name_length - 5));
  for (std::size_t i = 0; i + 4 <= alnum.size(); ++i) {
    std::string candidate = base + "-" + alnum.substr(i, 4);
    if (!is_taken(candidate)) return candidate;
  }
  return base + "-" + alnum.substr(0, 4);
}

std::string dm_room(std::string_view a, std::string_view b) {
  std::string x = dm_key_part(a), y = dm_key_part(b);
  if (y < x) std::swap(x, y);
  return std::string(dm_prefix) + x + ":" + y;
}

bool is_dm_room(std::string_view room) { return room.substr(0, dm_prefix.size()) == dm_prefix; }

bool dm_party(std::string_view room, std::string_view user_id) {
  if (!is_dm_room(room) || user_id.empty()) return false;
  std::string_view rest = room.substr(dm_prefix.size());
  // The parts hold no ':' (escaped): exactly one separates the two.
  auto colon = rest.find(':');
  if (colon == std::string_view::npos || rest.find(':', colon + 1) != std::string_view::npos)
    return false;
  const std::string me = dm_key_part(user_id);
  const std::string_view a = rest.substr(0, colon), b = rest.substr(colon + 1);
  if (a.empty() || b.empty()) return false;  // no identity is empty: nobody's conversation
  return a == me || b == me;
}

}  // namespace handlers
