#pragma once
// The Lambda proxy event API Gateway sends for a WebSocket route, field by field
// (aws-contract.md §2). Optional fields are absent on the wire when empty.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

namespace apigw {

enum class EventType { connect, message, disconnect };

struct Identity {
  std::string source_ip;
  std::optional<std::string> user_agent;
};

struct RequestContext {
  std::string route_key;
  EventType event_type = EventType::message;
  std::string connection_id;
  std::string request_id;           // equal to extendedRequestId, as on AWS
  std::optional<std::string> message_id;  // MESSAGE events only
  std::string request_time;         // CLF: 01/Feb/2025:10:00:00 +0000
  std::int64_t request_time_epoch = 0;  // ms
  std::int64_t connected_at = 0;        // ms, the same in every event of a connection
  std::string stage;
  std::string domain_name;
  std::string api_id;
  Identity identity;
  std::optional<int> disconnect_status_code;     // DISCONNECT only
  std::optional<std::string> disconnect_reason;  // DISCONNECT only
  std::optional<boost::json::object> authorizer; // set when $connect was authorized
};

using HeaderMap = std::map<std::string, std::string>;
using MultiValueMap = std::map<std::string, std::vector<std::string>>;

struct Event {
  RequestContext request_context;
  std::optional<HeaderMap> headers;  // CONNECT: handshake headers; DISCONNECT: fixed 4-key map
  std::optional<MultiValueMap> multi_value_headers;
  std::optional<HeaderMap> query_string_parameters;  // CONNECT with a query only
  std::optional<MultiValueMap> multi_value_query_string_parameters;
  std::optional<std::string> body;  // MESSAGE only: the text frame as received
  bool is_base64_encoded = false;
};

// What a handler returns (aws-contract.md §2.5).
struct Response {
  int status_code = 200;
  HeaderMap headers;
  std::optional<std::string> body;

  bool ok() const { return status_code >= 200 && status_code <= 299; }
};

const char* to_string(EventType t);

}  // namespace apigw
