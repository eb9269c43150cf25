#pragma once
// Base64url without padding (RFC 4648 §5), as JWS compact serialization uses it (RFC 7515 §2).
// Decoding is strict: a token is compared byte for byte after signing, so every input has
// exactly one accepted spelling.
#include <optional>
#include <string>
#include <string_view>

namespace auth {

std::string base64url_encode(std::string_view bytes);
// Nothing when `text` has a character outside [A-Za-z0-9_-] (padding '=' included), a length
// of 1 mod 4, or non-zero bits after the last byte.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace auth
