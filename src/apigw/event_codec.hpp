#pragma once
// JSON encoding of events and responses exactly as API Gateway and Lambda put them on the wire.
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "apigw/ws_event.hpp"
#include "core/error.hpp"

namespace apigw {

boost::json::value to_json(const Event& e);
std::string encode(const Event& e);
// Decodes an event; fails with invalid_argument when required fields are missing or mistyped.
core::result<Event> decode_event(std::string_view json);

boost::json::value to_json(const Response& r);
std::string encode(const Response& r);
// Decodes a handler's result. Like API Gateway, a result that is not an object with a
// numeric statusCode fails with invalid_argument.
core::result<Response> decode_response(std::string_view json);

}  // namespace apigw
