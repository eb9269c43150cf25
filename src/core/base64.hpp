#pragma once
// Base64 (RFC 4648), the one codec behind every place Parley meets it: DynamoDB's B and BS
// values and the WebSocket handshake use the standard alphabet with padding (§4); JWS compact
// serialization (JWTs, JWKS keys) and guest keys use the URL alphabet without padding (§5,
// RFC 7515 §2).
#include <optional>
#include <string>
#include <string_view>

namespace core {

enum class Base64 {
  standard,  // A-Z a-z 0-9 + /, padded with '=' to a multiple of 4
  url,       // A-Z a-z 0-9 - _, never padded
};

// What a decoder lets through beyond the one canonical spelling of each value.
enum class Base64Bits {
  canonical,  // the bits after the last byte must be zero: every value has exactly one spelling
  any,        // they may be anything (RFC 4648 §3.5 lets a decoder ignore them)
};

std::string base64_encode(std::string_view bytes, Base64 form = Base64::standard);

// Nothing on any character outside the form's alphabet (whitespace included), on padding where
// the form has none or missing where it needs it, on a length no encoder produces, and (unless
// `bits` is `any`) on non-zero bits after the last byte.
std::optional<std::string> base64_decode(std::string_view text, Base64 form = Base64::standard,
                                         Base64Bits bits = Base64Bits::canonical);

// The URL form, as JWTs spell it.
inline std::string base64url_encode(std::string_view bytes) { return base64_encode(bytes, Base64::url); }
inline std::optional<std::string> base64url_decode(std::string_view text) {
  return base64_decode(text, Base64::url);
}

}  // namespace core
