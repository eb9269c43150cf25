#pragma once
#include <boost/json/object.hpp>

#include "apigw/ws_event.hpp"
#include "handlers/ports.hpp"

namespace handlers {

inline constexpr std::size_t max_text_length = 4096;  // code points
inline constexpr std::size_t max_client_msg_id = 64;

// sendmessage: stores the message in the sender's room, then posts it to every member.
apigw::Response send_message(const apigw::Event& e, Ports& p);

// The same, for a body already parsed (used by $default for the seed's "default" action).
apigw::Response send_parsed(const apigw::Event& e, const boost::json::object& body, Ports& p);

// Posts an error event to the sender of `e`; the handler's own result stays 200 because
// API Gateway discards a one-way route's result anyway.
apigw::Response reply_error(const apigw::Event& e, Ports& p, std::string_view code,
                            std::string_view message);

}  // namespace handlers
