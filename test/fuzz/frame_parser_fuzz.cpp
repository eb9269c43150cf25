// libFuzzer target: the bytes a client sends after the upgrade, fed to the frame parser in
// chunks whose sizes come from the input too (a frame split anywhere must parse the same).
// Invariants checked: every call makes progress, text events are valid UTF-8 within the
// message limit, control payloads fit 125 bytes, nothing but control frames follows an error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "gateway/frame_parser.hpp"
#include "core/utf8.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // First byte: the chunk size (1..256); small limits so that the fuzzer reaches them.
  const std::size_t chunk = std::size_t{data[0]} + 1;
  ++data;
  --size;
  using gateway::ws::FrameParser;
  FrameParser parser({/*max_frame=*/300, /*max_message=*/1000});
  bool errored = false;
  for (std::size_t off = 0; off < size;) {
    const std::size_t n = std::min(chunk, size - off);
    std::size_t used = 0;
    while (used < n) {
      FrameParser::Event ev;
      const std::size_t k = parser.parse(data + off + used, n - used, ev);
      check(k > 0 && k <= n - used);  // progress, within bounds (ws_session loops on this)
      used += k;
      switch (ev.kind) {
        case FrameParser::Kind::text:
          check(!errored);
          check(ev.payload.size() <= 1000);
          check(core::valid_utf8(ev.payload));
          break;
        case FrameParser::Kind::ping:
        case FrameParser::Kind::pong:
          check(ev.payload.size() <= 125);
          break;
        case FrameParser::Kind::close:
          check(ev.payload.size() <= 123);
          check(core::valid_utf8(ev.payload));
          break;
        case FrameParser::Kind::error:
          check(ev.code >= 1002 && ev.code <= 1009);
          errored = true;
          break;
        case FrameParser::Kind::none:
          break;
      }
    }
    off += n;
  }
  // The validator on its own, byte by byte against all at once.
  core::Utf8Validator whole, bytewise;
  const bool a = whole.feed(data, size) && whole.complete();
  bool b = true;
  for (std::size_t i = 0; i < size && b; ++i) b = bytewise.feed(data + i, 1);
  b = b && bytewise.complete();
  check(a == b);
  check(a == core::valid_utf8(std::string_view(reinterpret_cast<const char*>(data), size)));
  return 0;
}
