#pragma once
// The tag every bench message carries in its text, so a delivery is matched to its send by a
// substring search whatever the server wraps around the text (Parley's JSON event, or nothing).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bench {

class Marker {
 public:
  // `run` (4 letters) tells this run's messages from older ones a server may replay (history).
  explicit Marker(std::string run);

  // "~B" run seq(10 digits) "~", padded with 'x' up to `payload` bytes when that is longer.
  std::string text(std::uint64_t seq, std::size_t payload) const;
  // The sequence number of the first marker of this run in `bytes`, if any.
  std::optional<std::uint64_t> find(std::string_view bytes) const;

  static constexpr std::size_t size = 2 + 4 + 10 + 1;
  const std::string& run() const { return run_; }

 private:
  std::string run_;
  std::string prefix_;  // "~B" + run
};

}  // namespace bench
