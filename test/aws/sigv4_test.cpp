#include "aws/sigv4/signer.hpp"

#include <gtest/gtest.h>

#include "aws/sigv4/canonical.hpp"
#include "aws/sigv4/credentials.hpp"
#include "aws/sigv4/crypto.hpp"

// Vectors from AWS's aws-sig-v4-test-suite (2015 edition, as copied in botocore and the SDKs).
namespace {
using namespace aws::sigv4;
using namespace std::chrono;

const aws::Credentials suite_creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const std::string suite_token =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/"
    "qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+"
    "xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
const std::string scope = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";

SigningOptions suite_options() {
  SigningOptions o;
  o.region = "us-east-1";
  o.service = "service";
  o.time = sys_days{year{2015} / 8 / 30} + hours{12} + minutes{36};
  return o;
}

Request suite_request(std::string method, std::string path, std::string query = {},
                      Headers extra = {}, std::string_view body = {}) {
  Request r{std::move(method), std::move(path), std::move(query),
            {{"Host", "example.amazonaws.com"}}, body};
  for (auto& h : extra) r.headers.push_back(std::move(h));
  return r;
}

std::string authz(std::string_view signed_headers, std::string_view sig) {
  return "AWS4-HMAC-SHA256 Credential=" + scope + ", SignedHeaders=" + std::string(signed_headers) +
         ", Signature=" + std::string(sig);
}

TEST(Sigv4Suite, GetVanilla) {
  auto req = suite_request("GET", "/");
  auto s = sign(req, suite_creds, suite_options());
  EXPECT_EQ(s.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(s.canonical_request), "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(s.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(s.authorization, authz("host;x-amz-date", s.signature));
  ASSERT_NE(find_header(req.headers, "authorization"), nullptr);
  EXPECT_EQ(find_header(req.headers, "authorization")->value, s.authorization);
  EXPECT_EQ(find_header(req.headers, "x-amz-date")->value, "20150830T123600Z");
  EXPECT_EQ(find_header(req.headers, "x-amz-security-token"), nullptr);
}

TEST(Sigv4Suite, SigningKey) {
  EXPECT_EQ(hex(signing_key(suite_creds.secret_access_key, "20150830", "us-east-1", "service")),
            "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75");
  // AWS general reference example (IAM, 2012-02-15).
  EXPECT_EQ(hex(signing_key(suite_creds.secret_access_key, "20120215", "us-east-1", "iam")),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(Sigv4Suite, PostXWwwFormUrlencoded) {
  auto req = suite_request("POST", "/", "", {{"Content-Type", "application/x-www-form-urlencoded"}},
                           "Param1=value1");
  auto s = sign(req, suite_creds, suite_options());
  EXPECT_NE(s.canonical_request.find("\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"),
            std::string::npos);
  EXPECT_EQ(s.signed_headers, "content-type;host;x-amz-date");
  EXPECT_EQ(sha256_hex(s.canonical_request), "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281");
  EXPECT_EQ(s.signature, "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
}

TEST(Sigv4Suite, PostVanilla) {
  auto req = suite_request("POST", "/");
  EXPECT_EQ(sign(req, suite_creds, suite_options()).signature,
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

TEST(Sigv4Suite, PostStsHeaderBefore) {
  auto creds = suite_creds;
  creds.session_token = suite_token;
  auto req = suite_request("POST", "/");
  auto s = sign(req, creds, suite_options());
  EXPECT_EQ(s.signed_headers, "host;x-amz-date;x-amz-security-token");
  EXPECT_EQ(sha256_hex(s.canonical_request), "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6");
  EXPECT_EQ(s.signature, "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead");
  EXPECT_EQ(find_header(req.headers, "X-Amz-Security-Token")->value, suite_token);
}

TEST(Sigv4Suite, PostStsHeaderAfter) {
  auto creds = suite_creds;
  creds.session_token = suite_token;
  auto opts = suite_options();
  opts.sign_session_token = false;
  auto req = suite_request("POST", "/");
  auto s = sign(req, creds, opts);
  EXPECT_EQ(s.signed_headers, "host;x-amz-date");
  EXPECT_EQ(s.signature, "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
  EXPECT_EQ(find_header(req.headers, "X-Amz-Security-Token")->value, suite_token);
}

struct Case {
  const char* name;
  const char* method;
  const char* path;
  const char* query;
  Headers headers;
  const char* signed_headers;
  const char* signature;
};

class Sigv4SuiteCases : public ::testing::TestWithParam<Case> {};

TEST_P(Sigv4SuiteCases, Signature) {
  const auto& c = GetParam();
  auto req = suite_request(c.method, c.path, c.query, c.headers);
  auto s = sign(req, suite_creds, suite_options());
  EXPECT_EQ(s.signed_headers, c.signed_headers) << s.canonical_request;
  EXPECT_EQ(s.signature, c.signature) << s.canonical_request;
}

INSTANTIATE_TEST_SUITE_P(
    Suite, Sigv4SuiteCases,
    ::testing::Values(
        Case{"get_unreserved", "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "", {},
             "host;x-amz-date", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
        Case{"normalize_get_slashes", "GET", "//example//", "", {}, "host;x-amz-date",
             "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"},
        Case{"get_vanilla_query_order_key_case", "GET", "/", "Param2=value2&Param1=value1", {}, "host;x-amz-date",
             "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
        Case{"get_vanilla_query_order_value", "GET", "/", "Param1=value2&Param1=value1", {}, "host;x-amz-date",
             "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"},
        Case{"get_vanilla_utf8_query", "GET", "/", "\xE1\x88\xB4=bar", {}, "host;x-amz-date",
             "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
        Case{"get_header_value_order", "GET", "/", "",
             {{"My-Header1", "value4"}, {"My-Header1", "value1"}, {"My-Header1", "value3"}, {"My-Header1", "value2"}},
             "host;my-header1;x-amz-date", "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
        Case{"get_header_key_duplicate", "GET", "/", "",
             {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}},
             "host;my-header1;x-amz-date", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
        Case{"get_header_value_trim", "GET", "/", "", {{"My-Header1", " value1"}, {"My-Header2", "\"a   b   c\""}},
             "host;my-header1;my-header2;x-amz-date", "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
        Case{"post_header_key_sort", "POST", "/", "", {{"My-Header1", "value1"}}, "host;my-header1;x-amz-date",
             "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"}),
    [](const auto& info) { return std::string(info.param.name); });

// Older suite (2011, botocore's aws4_testsuite): get-space and get-utf8 with their .creq files.
TEST(Sigv4Suite2011, GetSpaceAndUtf8CanonicalRequests) {
  const aws::Credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  const std::string date = "20110909T233600Z";
  // The request lines were "GET /%20/foo" and "GET /%E1%88%B4": the wire path is encoded again.
  Request space{"GET", "/%20/foo", "", {{"Date", "Mon, 09 Sep 2011 23:36:00 GMT"}, {"Host", "host.foo.com"}}, {}};
  auto s = compute(space, creds, date, "us-east-1", "host");
  EXPECT_EQ(s.canonical_request,
            "GET\n/%2520/foo\n\ndate:Mon, 09 Sep 2011 23:36:00 GMT\nhost:host.foo.com\n\ndate;host\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20110909T233600Z\n20110909/us-east-1/host/aws4_request\n"
            "35975885599128f8963ce9be7219598b2b5a344321bae304529556c891e9e6ba");
  EXPECT_EQ(s.signature, "2be9e587d1ee1f0fd02128724b86b4358ba3630d39f493b6e06610a19a50779e");
  Request utf8{"GET", "/%E1%88%B4", "", {{"Date", "Mon, 09 Sep 2011 23:36:00 GMT"}, {"Host", "host.foo.com"}}, {}};
  auto u = compute(utf8, creds, date, "us-east-1", "host");
  EXPECT_EQ(u.canonical_request.substr(0, 22), "GET\n/%25E1%2588%25B4\n\n");
  EXPECT_EQ(u.signature, "57b1eb3df3b16a8479c0097b66c0b261cfd65b829419a3f2c3d05319722490b8");
}

TEST(Sigv4Canonical, UriIsEncodedOnceMoreAndNormalized) {
  EXPECT_EQ(canonical_uri("/prod/%40connections/abc%3D"), "/prod/%2540connections/abc%253D");
  EXPECT_EQ(canonical_uri("/example space/"), "/example%20space/");  // 2015 normalize-path/get-space
  EXPECT_EQ(canonical_uri(""), "/");
  EXPECT_EQ(canonical_uri("/a/./b/../c"), "/a/c");
  EXPECT_EQ(canonical_uri("/../.."), "/");
  EXPECT_EQ(canonical_uri("//a//b//", false), "//a//b//");
}

TEST(Sigv4Canonical, Query) {
  EXPECT_EQ(canonical_query("b&a=1"), "a=1&b=");
  EXPECT_EQ(canonical_query("q=a+b"), "q=a%2Bb");
  EXPECT_EQ(canonical_query("x=a.b&x=a%2Fb"), "x=a%2Fb&x=a.b");
  EXPECT_EQ(canonical_query("a=%7e&a=~"), "a=~&a=~");
  EXPECT_EQ(canonical_query("a=1=2&&"), "a=1%3D2");
  EXPECT_EQ(canonical_query("a=%zz"), "a=%25zz");
  EXPECT_EQ(canonical_query("X-Amz-Signature=abc&b=2"), "b=2");
}

TEST(Sigv4Canonical, Headers) {
  auto h = canonical_headers({{"Host", "h"}, {"User-Agent", "x"}, {"X-B", "  a \t b  "}, {"x-b", "c"}});
  EXPECT_EQ(h.block, "host:h\nx-b:a b,c\n");
  EXPECT_EQ(h.signed_headers, "host;x-b");
}

TEST(Sigv4Sign, ContentSha256AndReSignReplaceHeaders) {
  auto opts = suite_options();
  opts.add_content_sha256 = true;
  auto req = suite_request("POST", "/", "", {}, "Param1=value1");
  sign(req, suite_creds, opts);
  auto s = sign(req, suite_creds, opts);  // signing twice must not duplicate or sign Authorization
  EXPECT_EQ(s.signed_headers, "host;x-amz-content-sha256;x-amz-date");
  int n = 0;
  for (const auto& h : req.headers) n += (to_lower(h.name) == "authorization");
  EXPECT_EQ(n, 1);
  EXPECT_EQ(find_header(req.headers, "x-amz-content-sha256")->value,
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
}

TEST(Credentials, FromEnv) {
  ::setenv("AWS_ACCESS_KEY_ID", "AKID", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "SECRET", 1);
  ::setenv("AWS_SESSION_TOKEN", "TOKEN", 1);
  ::setenv("AWS_REGION", "eu-west-1", 1);
  auto c = aws::credentials_from_env();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKID");
  EXPECT_EQ(c->secret_access_key, "SECRET");
  EXPECT_EQ(c->session_token, "TOKEN");
  EXPECT_EQ(aws::region_from_env().value_or(""), "eu-west-1");
  ::unsetenv("AWS_REGION");
  ::setenv("AWS_DEFAULT_REGION", "us-west-2", 1);
  EXPECT_EQ(aws::region_from_env().value_or(""), "us-west-2");
  ::unsetenv("AWS_DEFAULT_REGION");
  EXPECT_FALSE(aws::region_from_env());
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  EXPECT_FALSE(aws::credentials_from_env());
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SESSION_TOKEN");
}

}  // namespace
