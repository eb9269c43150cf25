#pragma once
// Incremental UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF),
// so a text message split over frames is checked as its bytes arrive: a WebSocket endpoint must
// fail a connection with invalid text (RFC 6455 §8.1, close 1007).
#include <cstddef>
#include <cstdint>

namespace gateway {

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

}  // namespace gateway
