// connections::Http (src/aws/apigw) against a scripted HTTP server: status mapping, the
// request's shape (path, percent-encoded id, SigV4 for execute-api), and the bound on a post's
// requests in flight. The real-gateway test is connections_http.test.mjs.
#include "aws/apigw/http_connections.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <set>

#include "../aws/fake_http_server.hpp"
#include "aws/apigw/management_target.hpp"

namespace connections {
namespace {
using namespace std::chrono_literals;
using aws::test::FakeHttpServer;
using aws::test::FakeReply;
using core::errc;

std::unique_ptr<Http> make(const std::string& endpoint, bool signed_requests = true,
                           std::size_t in_flight = 32) {
  aws::http::ClientOptions co;
  co.max_connections_per_endpoint = in_flight;
  co.request_timeout = 5s;
  co.connect_timeout = 2s;
  HttpOptions o;
  o.endpoint = endpoint;
  o.region = "eu-west-1";
  o.max_in_flight = in_flight;
  if (signed_requests)
    o.credentials = aws::Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "tok"};
  auto h = Http::create(std::make_shared<aws::http::BlockingClient>(co), o);
  if (!h) throw std::runtime_error("create: " + h.error().message());
  return std::move(*h);
}

TEST(HttpConnections, PostsTheBytesSignedToTheEncodedId) {
  std::mutex mu;
  aws::http::Request seen;
  FakeHttpServer server([&](const aws::http::Request& r) {
    std::lock_guard lock(mu);
    seen = r;
    return FakeReply{};
  });
  auto http = make(server.url() + "/prod");
  ASSERT_TRUE(http->post_one("Xq1aAbCd_-fGhIjA=", apigw::make_frame("{\"a\":1}")));
  std::lock_guard lock(mu);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/prod/@connections/Xq1aAbCd_-fGhIjA%3D");
  EXPECT_EQ(seen.body, "{\"a\":1}");
  auto auth = aws::http::find_header(seen.headers, "Authorization");
  ASSERT_TRUE(auth);
  EXPECT_NE(auth->value.find("/eu-west-1/execute-api/aws4_request"), std::string::npos);
  auto token = aws::http::find_header(seen.headers, "X-Amz-Security-Token");
  ASSERT_TRUE(token);
  EXPECT_EQ(token->value, "tok");
}

TEST(HttpConnections, WithoutCredentialsRequestsGoUnsigned) {
  std::atomic<bool> had_auth{true};
  FakeHttpServer server([&](const aws::http::Request& r) {
    had_auth = aws::http::find_header(r.headers, "Authorization") != nullptr;
    FakeReply reply;
    reply.status = 204;
    return reply;
  });
  auto http = make(server.url() + "/dev", false);
  ASSERT_TRUE(http->remove("abc="));
  EXPECT_FALSE(had_auth);
}

TEST(HttpConnections, MapsTheManagementApiStatuses) {
  std::atomic<int> status{200};
  FakeHttpServer server([&](const aws::http::Request&) {
    FakeReply r;
    r.status = status;
    r.body = "{\"message\":\"x\"}";
    return r;
  });
  auto http = make(server.url() + "/dev");
  const std::pair<int, errc> cases[] = {{410, errc::gone}, {413, errc::payload_too_large},
                                        {429, errc::limit_exceeded}, {403, errc::forbidden},
                                        {400, errc::internal}, {500, errc::internal},
                                        {502, errc::internal}};
  for (auto [s, e] : cases) {
    status = s;
    auto r = http->post_one("id=", apigw::make_frame("x"));
    ASSERT_FALSE(r) << s;
    EXPECT_EQ(r.error(), core::make_error_code(e)) << s;
    EXPECT_EQ(http->remove("id=").error(), core::make_error_code(e)) << s;
    EXPECT_EQ(http->get("id=").error(), core::make_error_code(e)) << s;
  }
}

TEST(HttpConnections, ANetworkFailureIsInternal) {
  std::string url;
  {
    FakeHttpServer gone([](const aws::http::Request&) { return FakeReply{}; });
    url = gone.url();
  }
  auto http = make(url + "/dev");
  auto r = http->post_one("id=", apigw::make_frame("x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), core::make_error_code(errc::internal));
  const std::vector<std::string> ab{"a", "b"};
  auto many = http->post({ab}, apigw::make_frame("x"));
  ASSERT_EQ(many.size(), 2u);
  EXPECT_FALSE(many[0]);
  EXPECT_FALSE(many[1]);
}

TEST(HttpConnections, GetParsesTheCamelCaseAnswer) {
  FakeHttpServer server([](const aws::http::Request& r) {
    EXPECT_EQ(r.method, "GET");
    FakeReply reply;
    reply.body = R"({"connectedAt":"2025-02-01T10:00:00.000Z","identity":{"sourceIp":"203.0.113.9",)"
                 R"("userAgent":null},"lastActiveAt":"2025-02-01T10:04:31.250Z"})";
    return reply;
  });
  auto info = make(server.url() + "/dev")->get("id=");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->connected_at, 1738404000000);
  EXPECT_EQ(info->last_active_at, 1738404271250);
  EXPECT_EQ(info->source_ip, "203.0.113.9");
  EXPECT_FALSE(info->user_agent);
}

TEST(HttpConnections, PostToManyAnswersInOrderWithABoundedNumberInFlight) {
  FakeHttpServer server([](const aws::http::Request& r) {
    FakeReply reply;
    reply.delay = 30ms;
    if (r.target.ends_with("gone7")) reply.status = 410;
    return reply;
  });
  auto http = make(server.url() + "/dev", true, 8);
  std::vector<std::string> ids;
  for (int i = 0; i < 64; ++i) ids.push_back("gone" + std::to_string(i));
  const auto start = std::chrono::steady_clock::now();
  auto results = http->post({ids}, apigw::make_frame("hello"));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(results.size(), 64u);
  for (int i = 0; i < 64; ++i) {
    if (i == 7) {
      EXPECT_EQ(results[i].error(), core::make_error_code(errc::gone));
    } else {
      EXPECT_TRUE(results[i]) << i;
    }
  }
  EXPECT_EQ(server.requests(), 64);
  EXPECT_LE(server.max_concurrent_connections(), 8);
  EXPECT_GE(server.max_concurrent_connections(), 2) << "posts ran one at a time";
  EXPECT_LT(took, 64 * 30ms / 2) << "not concurrent";
}

TEST(ManagementTarget, EndpointFromTheEventOrTheOverride) {
  apigw::Event e;
  e.request_context.domain_name = "abc123.execute-api.eu-west-1.amazonaws.com";
  e.request_context.stage = "prod";
  ::unsetenv("PARLEY_MANAGEMENT_ENDPOINT");
  EXPECT_EQ(management_endpoint(e), "https://abc123.execute-api.eu-west-1.amazonaws.com/prod");
  ::setenv("PARLEY_MANAGEMENT_ENDPOINT", "http://127.0.0.1:8080/dev/", 1);
  EXPECT_EQ(management_endpoint(e), "http://127.0.0.1:8080/dev");
  ::unsetenv("PARLEY_MANAGEMENT_ENDPOINT");
}

TEST(ManagementTarget, RegionFromTheEnvironmentElseTheDomain) {
  ::unsetenv("AWS_REGION");
  ::unsetenv("AWS_DEFAULT_REGION");
  EXPECT_EQ(signing_region("abc123.execute-api.eu-west-1.amazonaws.com"), "eu-west-1");
  EXPECT_EQ(signing_region("chat.example.com"), "us-east-1");
  ::setenv("AWS_REGION", "ap-south-1", 1);
  EXPECT_EQ(signing_region("abc123.execute-api.eu-west-1.amazonaws.com"), "ap-south-1");
  ::unsetenv("AWS_REGION");
}

TEST(ManagementTarget, ConnectionTargetEncodesTheId) {
  EXPECT_EQ(connection_target("/dev", "R1kmxc2VNjMCFIA="), "/dev/@connections/R1kmxc2VNjMCFIA%3D");
  EXPECT_EQ(connection_target("", "a/b c"), "/@connections/a%2Fb%20c");
}

}  // namespace
}  // namespace connections
