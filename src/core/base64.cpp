#include "core/base64.hpp"

#include <array>
#include <cstdint>

namespace core {
namespace {

constexpr char standard_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char url_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Character to 6-bit value, -1 for anything outside the alphabet ('=' included).
constexpr std::array<std::int8_t, 256> make_table(const char* alphabet) {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  return t;
}
constexpr auto standard_table = make_table(standard_alphabet);
constexpr auto url_table = make_table(url_alphabet);

}  // namespace

std::string base64_encode(std::string_view bytes, Base64 form) {
  const char* alphabet = form == Base64::url ? url_alphabet : standard_alphabet;
  const bool pad = form == Base64::standard;
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{b[i]} << 16) | (b[i + 1] << 8) | b[i + 2];
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {
    const std::uint32_t v = (std::uint32_t{b[i]} << 16) | (rest == 2 ? b[i + 1] << 8 : 0);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (rest == 2) out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) out.append(3 - rest, '=');
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text, Base64 form, Base64Bits bits) {
  const auto& table = form == Base64::url ? url_table : standard_table;
  if (form == Base64::standard) {
    // Padded: whole quads, and at most two '=' at the very end, which then stand for nothing.
    if (text.size() % 4 != 0) return std::nullopt;
    if (!text.empty() && text.back() == '=') text.remove_suffix(1);
    if (!text.empty() && text.back() == '=') text.remove_suffix(1);
  }
  // One leftover character holds 6 bits, less than a byte: no encoder writes that.
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int pending = 0;
  for (char c : text) {
    const int v = table[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    pending += 6;
    if (pending >= 8) {
      pending -= 8;
      out.push_back(static_cast<char>((acc >> pending) & 0xff));
    }
  }
  // Bits left over must be zero for a canonical spelling: otherwise two texts give the same bytes.
  if (bits == Base64Bits::canonical && pending > 0 && (acc & ((1u << pending) - 1)) != 0)
    return std::nullopt;
  return out;
}

}  // namespace core
