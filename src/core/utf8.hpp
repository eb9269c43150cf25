#pragma once
// UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF), the one
// definition the gateway (a WebSocket endpoint must fail a connection with invalid text, RFC 6455
// §8.1, close 1007) and the terminal client (it refuses to send what the gateway would refuse)
// share. Incremental, so a text message split over frames is checked as its bytes arrive.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace core {

class Utf8Validator {
 public:
  // False as soon as the bytes so far cannot be the start of valid UTF-8.
  bool feed(const std::uint8_t* p, std::size_t n);
  // True when the bytes fed so far end on a character boundary.
  bool complete() const { return state_ == accept; }
  void reset() { state_ = accept; }

 private:
  static constexpr std::uint8_t accept = 0;
  static constexpr std::uint8_t reject = 12;
  std::uint8_t state_ = accept;
};

// Whether all of `s` is valid UTF-8.
bool valid_utf8(std::string_view s);

// For valid UTF-8 (what the gateway lets through): the number of code points, and the longest
// prefix of at most `max_bytes` bytes that does not cut a character in two.
std::size_t code_points(std::string_view utf8);
std::string_view utf8_prefix(std::string_view utf8, std::size_t max_bytes);

}  // namespace core
