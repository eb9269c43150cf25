// libFuzzer target: SigV4 verification (aws/sigv4/verifier), which the management API runs
// on every request before deciding anything. The input is a request, line by line: method,
// path, query, then "Name: value" header lines up to an empty line, then the body.
// Invariants: no crash, no exception; an accepted request names the configured access key, the
// service execute-api and the region; the same request signed by our signer (after its
// Authorization, X-Amz-Date and x-amz-content-sha256 are dropped) verifies, and with its body
// changed no longer does.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "aws/sigv4/signer.hpp"
#include "aws/sigv4/verifier.hpp"

namespace {

namespace sigv4 = aws::sigv4;
const aws::Credentials creds{"AKIDFUZZ", "fuzz/secret/key", ""};

std::optional<aws::Credentials> lookup(std::string_view id) {
  if (id == creds.access_key_id) return creds;
  return std::nullopt;
}

std::string_view next_line(std::string_view& in) {
  const auto nl = in.find('\n');
  const std::string_view line = in.substr(0, nl);
  in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  sigv4::Request req;
  req.method = std::string(next_line(in));
  req.path = std::string(next_line(in));
  req.query = std::string(next_line(in));
  for (std::string_view line; !in.empty() && !(line = next_line(in)).empty();) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    // Only what an HTTP parser (Beast, in front of the verifier) lets through as a field name:
    // a token (RFC 9110 §5.6.2). A ';' in a name would also end it early in SignedHeaders.
    if (colon == 0 || !std::all_of(line.begin(), line.begin() + colon, [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
        }))
      continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    req.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  }
  const std::string body(in);
  req.body = body;

  sigv4::VerifyOptions opts;
  opts.service = "execute-api";
  opts.region = "us-east-1";
  if (auto r = sigv4::verify(req, lookup, opts)) {
    if (r->access_key_id != creds.access_key_id || r->service != "execute-api" || r->region != "us-east-1")
      std::abort();
  }

  // Round trip: what our signer signs, our verifier accepts.
  if (req.path.empty() || req.path.front() != '/' || req.method.empty()) return 0;
  for (const char* h : {"Authorization", "X-Amz-Date", "x-amz-content-sha256", "X-Amz-Security-Token"})
    std::erase_if(req.headers, [&](const sigv4::Header& x) {
      return x.name.size() == std::string_view(h).size() &&
             std::equal(x.name.begin(), x.name.end(), h, [](char a, char b) { return std::tolower(a) == std::tolower(b); });
    });
  if (!sigv4::find_header(req.headers, "host")) req.headers.push_back({"Host", "127.0.0.1:8080"});
  sigv4::SigningOptions so;
  so.region = "us-east-1";
  so.service = "execute-api";
  so.time = opts.now;
  sigv4::sign(req, creds, so);
  auto ok = sigv4::verify(req, lookup, opts);
  // Requests the verifier refuses for what they are, not for their signature, are fine
  // (e.g. a header it cannot canonicalize); a signature mismatch on our own signing is a bug.
  if (!ok && ok.error() == sigv4::verify_errc::signature_mismatch) std::abort();
  if (ok) {
    const std::string changed = body + "x";
    req.body = changed;
    if (sigv4::verify(req, lookup, opts)) {
      // An unsigned body is only accepted when no body hash is part of the signature: SigV4
      // for execute-api signs the body's hash in the canonical request, so this must fail.
      std::abort();
    }
  }
  return 0;
}
