#pragma once
// The three primitives SigV4 needs, on OpenSSL.
#include <string>
#include <string_view>

namespace aws::sigv4 {

// Raw 32-byte SHA-256 digest.
std::string sha256(std::string_view data);
// Lowercase hex of SHA-256 (the payload hash and the canonical-request hash).
std::string sha256_hex(std::string_view data);
// Raw 32-byte HMAC-SHA256.
std::string hmac_sha256(std::string_view key, std::string_view data);
// Lowercase hex of arbitrary bytes.
std::string hex(std::string_view bytes);
// Compares in time that depends only on the lengths, so a verifier leaks nothing about a signature.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace aws::sigv4
