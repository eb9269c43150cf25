#pragma once
// The error frames API Gateway itself sends to a client (aws-contract.md §1.2, §1.4).
#include <string>
#include <string_view>

namespace apigw::frames {

// {"message":"<message>","connectionId":"...","requestId":"..."}
std::string gateway_error(std::string_view message, std::string_view connection_id,
                          std::string_view request_id);

inline constexpr std::string_view forbidden = "Forbidden";
inline constexpr std::string_view internal_error = "Internal server error";
inline constexpr std::string_view timed_out = "Endpoint request timed out";
// A frame over a rate limit (API Gateway's throttling answer, "429 Too Many Requests").
inline constexpr std::string_view too_many_requests = "Too Many Requests";

}  // namespace apigw::frames
