#include "aws/sigv4/verifier.hpp"

#include <gtest/gtest.h>

namespace {
using namespace aws::sigv4;
using namespace std::chrono;

const aws::Credentials creds{"AKID", "secret", ""};
const auto t0 = sys_days{year{2026} / 1 / 2} + hours{3};

std::optional<aws::Credentials> lookup(std::string_view id) {
  if (id == creds.access_key_id) return creds;
  return std::nullopt;
}

Request signed_request(std::string body = "hello") {
  static std::string storage;
  storage = std::move(body);
  Request r{"POST", "/prod/%40connections/abc%3D", "b=2&a=1", {{"Host", "127.0.0.1:9001"}}, storage};
  SigningOptions o;
  o.region = "us-east-1";
  o.service = "execute-api";
  o.time = t0;
  sign(r, creds, o);
  return r;
}

VerifyOptions options() {
  VerifyOptions v;
  v.service = "execute-api";
  v.now = t0 + seconds{30};
  return v;
}

TEST(Sigv4Verify, AcceptsWhatTheSignerProduces) {
  auto r = verify(signed_request(), lookup, options());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->access_key_id, "AKID");
  EXPECT_EQ(r->region, "us-east-1");
}

TEST(Sigv4Verify, RejectsTampering) {
  auto r = signed_request();
  r.body = "hellO";
  EXPECT_EQ(verify(r, lookup, options()).error(), verify_errc::signature_mismatch);
  r = signed_request();
  r.path = "/prod/%40connections/abd%3D";
  EXPECT_EQ(verify(r, lookup, options()).error(), verify_errc::signature_mismatch);
  r = signed_request();
  r.query = "b=2&a=2";
  EXPECT_EQ(verify(r, lookup, options()).error(), verify_errc::signature_mismatch);
  r = signed_request();
  set_header(r.headers, "Host", "127.0.0.1:9002");
  EXPECT_EQ(verify(r, lookup, options()).error(), verify_errc::signature_mismatch);
}

TEST(Sigv4Verify, UnsignedExtraHeadersAreIgnored) {
  auto r = signed_request();
  r.headers.push_back({"X-Forwarded-For", "10.0.0.1"});
  EXPECT_TRUE(verify(r, lookup, options()));
}

TEST(Sigv4Verify, ReportsWhyItFailed) {
  auto r = signed_request();
  auto o = options();
  o.now = t0 + minutes{6};
  EXPECT_EQ(verify(r, lookup, o).error(), verify_errc::signature_expired);
  o = options();
  o.service = "dynamodb";
  EXPECT_EQ(verify(r, lookup, o).error(), verify_errc::scope_mismatch);
  o = options();
  o.region = "eu-west-1";
  EXPECT_EQ(verify(r, lookup, o).error(), verify_errc::scope_mismatch);
  EXPECT_EQ(verify(r, [](std::string_view) { return std::optional<aws::Credentials>{}; }, options()).error(),
            verify_errc::unknown_access_key);
  auto bad = r;
  set_header(bad.headers, "Authorization", "AWS4-HMAC-SHA256 Credential=AKID/x");
  EXPECT_EQ(verify(bad, lookup, options()).error(), verify_errc::incomplete_signature);
  std::erase_if(bad.headers, [](const Header& h) { return h.name == "Authorization"; });
  EXPECT_EQ(verify(bad, lookup, options()).error(), verify_errc::missing_authentication);
  auto wrong_secret = [](std::string_view) { return std::optional<aws::Credentials>{{"AKID", "other", ""}}; };
  EXPECT_EQ(verify(r, wrong_secret, options()).error(), verify_errc::signature_mismatch);
}

TEST(Sigv4Verify, ErrorCategory) {
  boost::system::error_code ec = verify_errc::signature_mismatch;
  EXPECT_STREQ(ec.category().name(), "sigv4");
  EXPECT_NE(ec.message().find("does not match"), std::string::npos);
}

}  // namespace

namespace {
using namespace aws::sigv4;

TEST(Sigv4Verify, DeclaredPayloadHashMustMatchTheBody) {
  SigningOptions o;
  o.region = "us-east-1";
  o.service = "execute-api";
  o.time = std::chrono::sys_days{std::chrono::year{2026} / 1 / 2};
  o.add_content_sha256 = true;
  const aws::Credentials c{"AKID", "secret", ""};
  auto lookup = [&](std::string_view) { return std::optional<aws::Credentials>(c); };
  VerifyOptions v;
  v.service = "execute-api";
  v.now = o.time;

  std::string body = "payload";
  Request r{"POST", "/", "", {{"Host", "h"}}, body};
  sign(r, c, o);
  EXPECT_TRUE(verify(r, lookup, v));
  std::string other = "tampered";
  r.body = other;  // the signature still matches (it covers the declared hash), the body does not
  EXPECT_EQ(verify(r, lookup, v).error(), verify_errc::payload_hash_mismatch);

  Request u{"POST", "/", "", {{"Host", "h"}, {"X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"}}, body};
  o.add_content_sha256 = false;
  sign(u, c, o);
  EXPECT_EQ(verify(u, lookup, v).error(), verify_errc::payload_hash_mismatch);
  v.allow_unsigned_payload = true;
  EXPECT_TRUE(verify(u, lookup, v));
}

}  // namespace
