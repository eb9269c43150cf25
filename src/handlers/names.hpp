#pragma once
// Display names, room names, and the room key of a direct-message pair.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"

namespace handlers {

inline constexpr std::string_view default_room = "lobby";
inline constexpr std::size_t max_name_length = 32;
inline constexpr std::size_t max_room_length = 64;

// 1-32 characters of ASCII letters, digits, space, '_', '-', '.'; no leading/trailing space.
bool valid_name(std::string_view name);
// 1-64 characters of ASCII letters, digits, '_', '-', '.' (so never a "dmu:" key).
bool valid_room(std::string_view room);
// "guest-" plus four characters derived from the connection id.
std::string guest_name(std::string_view connection_id);

// Case-insensitive equality of names ("Ann" and "ann" are the same person to a reader): the
// store's rule, since it indexes names.
using store::same_name;
// `wanted`, or `wanted-XXXX` (XXXX from the connection id) when another member has it.
std::string unique_name(std::string_view wanted, const std::vector<std::string>& taken,
                        std::string_view connection_id);
// The same, asking `is_taken` about each candidate.
std::string unique_name(std::string_view wanted,
                        const std::function<bool(std::string_view)>& is_taken,
                        std::string_view connection_id);

// "dmu:<a>:<b>" with the two user ids (':' and '%' percent-escaped) sorted: the room holding
// the pair's direct messages. Keyed by identity, never by display name: a rename neither moves
// nor opens a conversation.
std::string dm_room(std::string_view user_a, std::string_view user_b);
bool is_dm_room(std::string_view room);
// Whether `user_id` is one of the two parties of a dm room.
bool dm_party(std::string_view room, std::string_view user_id);

}  // namespace handlers
