// libFuzzer target: decoding Lambda proxy events and handler responses (what the Lambda
// runtime reads from the Runtime API and the gateway reads back). Invariants: no crash, no
// exception; whatever decodes re-encodes to JSON that decodes to the same encoding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "apigw/event_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto e = apigw::decode_event(input)) {
    const std::string once = apigw::encode(*e);
    auto again = apigw::decode_event(once);
    if (!again || apigw::encode(*again) != once) std::abort();
  }
  if (auto r = apigw::decode_response(input)) {
    const std::string once = apigw::encode(*r);
    auto again = apigw::decode_response(once);
    if (!again || apigw::encode(*again) != once) std::abort();
  }
  return 0;
}
