#pragma once
// The canonicalization rules of SigV4 (aws-contract.md §7.2), as pure functions so that the signer
// and the verifier build byte-identical canonical requests.
#include <string>
#include <string_view>
#include <vector>

namespace aws::sigv4 {

struct Header {
  std::string name;
  std::string value;
};
using Headers = std::vector<Header>;

// Percent-encodes every byte except A-Za-z0-9-_.~ (and '/' when keep_slash), hex in uppercase.
std::string uri_encode(std::string_view s, bool keep_slash = false);

// Decodes %XX escapes; a '%' not followed by two hex digits stays literal, '+' stays '+'.
std::string percent_decode(std::string_view s);

// RFC 3986 remove_dot_segments plus the collapse of repeated '/' that AWS services expect.
std::string normalize_path(std::string_view path);

// The path as sent on the wire, normalized (optional) and encoded once more: "/a%3D" -> "/a%253D".
std::string canonical_uri(std::string_view raw_path, bool normalize = true);

// The raw query string (no '?'): each name and value decoded then encoded, sorted by name, then
// value. Decoding first makes "a=%7e" and "a=~" sign alike, as they do at AWS.
std::string canonical_query(std::string_view raw_query);

// Lowercase, trimmed, whitespace-collapsed value; repeated headers are joined with ','.
std::string canonical_header_value(std::string_view value);

struct CanonicalHeaders {
  std::string block;           // "name:value\n" per header, sorted by name
  std::string signed_headers;  // "name1;name2"
};

// Canonicalizes `headers`, keeping only the lowercase names in `only` when it is non-empty
// (the verifier's case: exactly what the client declared in SignedHeaders).
CanonicalHeaders canonical_headers(const Headers& headers, const std::vector<std::string>& only = {});

// Headers a signer leaves out because proxies add, drop or rewrite them.
bool is_unsignable_header(std::string_view lowercase_name);

std::string to_lower(std::string_view s);

}  // namespace aws::sigv4
