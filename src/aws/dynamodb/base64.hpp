#pragma once
// RFC 4648 base64, the encoding of DynamoDB's B and BS values.
#include <optional>
#include <string>
#include <string_view>

namespace aws::dynamodb {

std::string base64_encode(std::string_view bytes);
// Strict: padding required, no whitespace; nullopt on anything else.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace aws::dynamodb
