#pragma once
// Signature Version 4 (aws-contract.md §7): signs a request in place, or computes the signature of
// a request as a verifier sees it.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/sigv4/canonical.hpp"
#include "aws/sigv4/credentials.hpp"

namespace aws::sigv4 {

// A request as it goes on the wire: path and query still percent-encoded as sent.
struct Request {
  std::string method = "GET";
  std::string path = "/";
  std::string query;  // without '?'
  Headers headers;    // must hold Host
  std::string_view body;
};

struct SigningOptions {
  std::string region;
  std::string service;
  std::chrono::system_clock::time_point time = std::chrono::system_clock::now();
  // false: X-Amz-Security-Token is added after signing (suite case post-sts-header-after).
  bool sign_session_token = true;
  // Adds x-amz-content-sha256 (S3 wants it; DynamoDB does not need it).
  bool add_content_sha256 = false;
  // S3 signs the path as is; every other service normalizes it first.
  bool normalize_path = true;
};

// Every intermediate string, so tests can tell which step differs.
struct Signature {
  std::string amz_date;  // 20150830T123600Z
  std::string scope;     // 20150830/us-east-1/service/aws4_request
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;
  std::string signature;  // lowercase hex
  std::string authorization;
};

// "YYYYMMDDTHHMMSSZ" in UTC.
std::string amz_date(std::chrono::system_clock::time_point t);

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
std::string signing_key(std::string_view secret, std::string_view date8, std::string_view region,
                        std::string_view service);

// Case-insensitive header lookup; nullptr when absent.
const Header* find_header(const Headers& headers, std::string_view name);
// Replaces every header of that name (any case) by one with this value.
void set_header(Headers& headers, std::string_view name, std::string value);

// Sets X-Amz-Date, X-Amz-Security-Token (when the credentials have one), x-amz-content-sha256
// (when asked) and Authorization on `req`, and returns the intermediate strings.
Signature sign(Request& req, const Credentials& creds, const SigningOptions& opts);

// The signature of `req` as it stands (its X-Amz-Date header is the signing time), over the
// headers named in `only` (all signable ones when empty). The verifier's building block.
Signature compute(const Request& req, const Credentials& creds, std::string_view amz_date,
                  std::string_view region, std::string_view service,
                  const std::vector<std::string>& only = {}, bool normalize_path = true);

}  // namespace aws::sigv4
