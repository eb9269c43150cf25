#pragma once
// Wall-clock time in the forms the AWS contract uses.
#include <cstdint>
#include <string>

namespace core {

// Milliseconds since the Unix epoch.
std::int64_t now_ms();

// "2025-02-01T10:00:00.000Z" (GetConnection's connectedAt / lastActiveAt).
std::string iso8601_ms(std::int64_t epoch_ms);

// "01/Feb/2025:10:00:00 +0000" (requestContext.requestTime, Common Log Format).
std::string clf_time(std::int64_t epoch_ms);

}  // namespace core
