#include "aws/sigv4/canonical.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace aws::sigv4 {
namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

}  // namespace

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string uri_encode(std::string_view s, bool keep_slash) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 0xF]);
    }
  }
  return out;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::string normalize_path(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    auto seg = path.substr(start, end - start);
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!seg.empty() && seg != ".") {
      out.push_back(seg);
    }
    start = end + 1;
  }
  std::string result = path.front() == '/' ? "/" : "";
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i) result.push_back('/');
    result.append(out[i]);
  }
  if (path.back() == '/' && !out.empty()) result.push_back('/');
  return result.empty() ? "/" : result;
}

std::string canonical_uri(std::string_view raw_path, bool normalize) {
  std::string path = normalize ? normalize_path(raw_path) : std::string(raw_path);
  if (path.empty()) path = "/";
  return uri_encode(path, /*keep_slash=*/true);
}

std::string canonical_query(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::size_t start = 0;
  while (start < raw_query.size()) {
    auto end = raw_query.find('&', start);
    if (end == std::string_view::npos) end = raw_query.size();
    auto piece = raw_query.substr(start, end - start);
    start = end + 1;
    if (piece.empty()) continue;
    auto eq = piece.find('=');
    auto name = piece.substr(0, eq);
    auto value = eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
    auto enc_name = uri_encode(percent_decode(name));
    // A presigned URL carries its own signature, which cannot sign itself.
    if (to_lower(enc_name) == "x-amz-signature") continue;
    pairs.emplace_back(std::move(enc_name), uri_encode(percent_decode(value)));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [n, v] : pairs) {
    if (!out.empty()) out.push_back('&');
    out.append(n).append("=").append(v);
  }
  return out;
}

std::string canonical_header_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

bool is_unsignable_header(std::string_view n) {
  // The union of botocore's and smithy's lists: hop-by-hop and agent headers that proxies touch,
  // plus proxy-* (added by proxies) and sec-* (set by browsers behind the caller's back).
  if (n.starts_with("proxy-") || n.starts_with("sec-")) return true;
  static constexpr std::string_view names[] = {
      "authorization", "cache-control", "connection", "expect", "from", "keep-alive",
      "max-forwards", "pragma", "referer", "te", "trailer", "transfer-encoding", "upgrade",
      "user-agent", "x-amzn-trace-id"};
  return std::find(std::begin(names), std::end(names), n) != std::end(names);
}

CanonicalHeaders canonical_headers(const Headers& headers, const std::vector<std::string>& only) {
  std::map<std::string, std::string> merged;  // sorted by lowercase name, as the spec wants
  for (const auto& h : headers) {
    auto name = to_lower(h.name);
    if (only.empty() ? is_unsignable_header(name)
                     : std::find(only.begin(), only.end(), name) == only.end())
      continue;
    auto value = canonical_header_value(h.value);
    auto [it, inserted] = merged.try_emplace(name, value);
    if (!inserted) it->second.append(",").append(value);
  }
  CanonicalHeaders out;
  for (const auto& [n, v] : merged) {
    out.block.append(n).append(":").append(v).append("\n");
    if (!out.signed_headers.empty()) out.signed_headers.push_back(';');
    out.signed_headers.append(n);
  }
  return out;
}

}  // namespace aws::sigv4
