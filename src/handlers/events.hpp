#pragma once
// The events the server sends to clients (docs/protocol.md), each encoded once.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "store/store.hpp"

namespace handlers::events {

// A stored message as the client sees it: type "message", or "dm" with "to".
boost::json::object message_object(const store::Message& m);
std::string message(const store::Message& m);

std::string ack(const store::Appended& a);

// {"type":"history","room","messages":[...],"hasMore","lastSeq"}
std::string history(const std::string& room, const std::vector<store::Message>& messages,
                    bool has_more, std::int64_t last_seq);

// guest_token: a guest's (re)issued token, for the client to keep; "" for others.
std::string welcome(const store::Connection& c, const std::vector<std::string>& rooms,
                    std::string_view guest_token = {});
std::string joined(const store::Member& m, std::int64_t last_seq);
std::string left(const std::string& room);
std::string name(const std::string& name, const std::map<std::string, std::string>& per_room);
// event: "join", "leave" or "rename" (with old_name).
std::string presence(const store::Member& m, std::string_view event, std::string_view old_name = {});
// `members` lists who is in the room (at most presence_room_limit of them: a larger list would
// pass the 128 KB frame limit); `count` says how many there are in all.
std::string members(const std::string& room, const std::vector<store::Member>& members,
                    std::size_t count);
std::string pong();

// {"type":"error","code","message"} plus "action" and "clientMsgId" when known.
std::string error(std::string_view code, std::string_view message, std::string_view action = {},
                  std::string_view client_msg_id = {});

}  // namespace handlers::events
