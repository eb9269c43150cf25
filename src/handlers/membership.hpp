#pragma once
// Entering and leaving rooms, and bringing a connection's view of a room up to date.
#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "handlers/ports.hpp"

namespace handlers {

// Connection and member rows outlive the 2-hour connection limit by a margin; TTL then sweeps
// the rows of crashed nodes.
inline constexpr std::int64_t row_ttl_seconds = 2 * 3600 + 600;

// Rooms with more members than this do not announce joins, leaves and renames: in a room of N
// members N arrivals would cost N^2/2 frames (50 million for 10,000). Their members see who is
// there with `who` (docs/protocol.md).
inline constexpr std::size_t presence_room_limit = 1000;

// The name `wanted` shows as in `room` for this connection: itself, or with a suffix when another
// member shows it already.
core::result<std::string> name_in_room(Ports& p, const std::string& room, std::string_view wanted,
                                       const std::string& connection_id);

// Posts a presence event to the room's members except `except`, unless the room is larger than
// presence_room_limit. A room the store cannot read is logged and skipped.
void announce(Ports& p, const std::string& room, const apigw::SharedFrame& frame,
              const std::string& except);

// The member row that would put the connection in `room` under its name made unique there.
core::result<store::Member> member_row(Ports& p, const store::Connection& c,
                                       const std::string& room);

// Adds the connection to `room` under its name made unique there, and announces the join to the
// room's other members. Returns the member row (with the name shown in that room).
core::result<store::Member> enter_room(Ports& p, const store::Connection& c,
                                       const std::string& room);

// Removes the member row and announces the leave to the remaining members. On failure the row
// is still there and nothing was announced.
core::result<void> exit_room(Ports& p, const store::Member& m);

// The member row of `connection_id` in `room`, or nullopt when it is not a member; with
// `rooms_in`, also how many rooms the connection is in.
core::result<std::optional<store::Member>> find_membership(Ports& p,
                                                           const std::string& connection_id,
                                                           const std::string& room,
                                                           std::size_t* rooms_in = nullptr);

// Posts `room`'s history to the connection: every message after `since` (in pages of
// history events) when since >= 0, else the newest `newest` messages. A catch-up stops at the
// first page the connection does not take (its send queue is full: 429, or it is gone): the
// client asks again with `since` (or `history` `after`) once it has read what it was sent.
core::result<void> send_history(Ports& p, const std::string& connection_id,
                                const std::string& room, std::int64_t since, int newest = 50);
// The same for a room read by ConnectionViews::connection_view: its last seq is known and, when
// since < 0, so are its newest messages (read with wants_newest true).
core::result<void> send_history(Ports& p, const std::string& connection_id,
                                const store::RoomView& room, std::int64_t since);

}  // namespace handlers
