#pragma once
#include "apigw/ws_event.hpp"
#include "handlers/ports.hpp"
#include "handlers/request.hpp"

namespace handlers {

inline constexpr std::size_t max_text_length = 4096;  // code points
inline constexpr std::size_t max_client_msg_id = 64;  // bytes

// sendmessage: stores the message in the room (default: the home room), acks the sender, then
// posts it to every member. A retried clientMsgId is acked again and not stored twice.
apigw::Response send_message(const apigw::Event& e, Ports& p);

// The same for a request already made (used by $default for the seed's "default" action).
apigw::Response send_message(const Request& r);

// Validates the "message" text and "clientMsgId"; on failure answers the sender and returns false.
bool read_text(const Request& r, std::string& text, std::string& client_msg_id);

}  // namespace handlers
