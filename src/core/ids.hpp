#pragma once
// Identifiers in the shapes API Gateway uses, so URL-encoding bugs show up locally.
#include <string>

namespace core {

// 15 characters of [A-Za-z0-9_-] followed by '=', like "R1kmxc2VNjMCFIA=".
// Used for connectionId, requestId/extendedRequestId and messageId.
std::string new_connection_id();

// 10 characters of [a-z0-9], like an API Gateway api id.
std::string new_api_id();

// 32 lowercase hex characters: message ids and other opaque ids.
std::string new_hex_id();

// An X-Ray trace id for the X-Amzn-Trace-Id header: "Root=1-{8 hex epoch s}-{24 hex}".
std::string new_trace_id(long long epoch_seconds);

}  // namespace core
