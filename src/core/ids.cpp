#include "core/ids.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>

namespace core {
namespace {

// A per-thread generator seeded from random_device, the clock and the thread's counter:
// ids must be unique across threads without a lock on the hot path.
std::mt19937_64& generator() {
  static std::atomic<std::uint64_t> counter{0};
  thread_local std::mt19937_64 gen([] {
    std::random_device rd;
    std::seed_seq seq{static_cast<std::uint64_t>(rd()), static_cast<std::uint64_t>(rd()),
                      static_cast<std::uint64_t>(
                          std::chrono::steady_clock::now().time_since_epoch().count()),
                      counter.fetch_add(1)};
    return std::mt19937_64(seq);
  }());
  return gen;
}

std::string random_string(std::string_view alphabet, std::size_t length) {
  std::string out(length, '\0');
  auto& gen = generator();
  std::uint64_t bits = 0;
  int left = 0;
  for (auto& c : out) {
    if (left == 0) {
      bits = gen();
      left = 10;  // 10 draws of 6 bits from 64 random bits
    }
    c = alphabet[(bits & 63u) % alphabet.size()];
    bits >>= 6;
    --left;
  }
  return out;
}

constexpr std::string_view url_safe =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view hex = "0123456789abcdef";

}  // namespace

std::string new_connection_id() { return random_string(url_safe, 15) + "="; }

std::string new_api_id() {
  return random_string("abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01", 10);
}

std::string new_hex_id() { return random_string(std::string_view(hex.data(), 16), 32); }

std::string new_trace_id(long long epoch_seconds) {
  std::string root(8, '0');
  auto v = static_cast<unsigned long long>(epoch_seconds);
  for (int i = 7; i >= 0; --i) {
    root[static_cast<std::size_t>(i)] = hex[v & 15u];
    v >>= 4;
  }
  return "Root=1-" + root + "-" + random_string(hex, 24);
}

}  // namespace core
