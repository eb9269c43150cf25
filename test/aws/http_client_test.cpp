#include "aws/http/client.hpp"

#include <gtest/gtest.h>

#include <boost/beast/core/error.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "aws/http/blocking_client.hpp"
#include "fake_http_server.hpp"
#include "process.hpp"

namespace {
using namespace aws;
using namespace std::chrono_literals;

http::Endpoint endpoint_of(const test::FakeHttpServer& s) { return http::parse_endpoint(s.url()).value(); }

test::FakeReply echo(const http::Request& r) {
  test::FakeReply reply;
  reply.headers.push_back({"X-Method", r.method});
  reply.headers.push_back({"X-Host", std::string(http::Response{0, r.headers, ""}.header("host"))});
  reply.body = r.target + "|" + r.body;
  return reply;
}

TEST(HttpEndpoint, Parse) {
  auto a = http::parse_endpoint("https://dynamodb.eu-west-1.amazonaws.com").value();
  EXPECT_EQ(a.host, "dynamodb.eu-west-1.amazonaws.com");
  EXPECT_EQ(a.port, 443);
  EXPECT_TRUE(a.tls);
  EXPECT_EQ(a.host_header(), "dynamodb.eu-west-1.amazonaws.com");
  auto b = http::parse_endpoint("http://127.0.0.1:8000/").value();
  EXPECT_EQ(b.host, "127.0.0.1");
  EXPECT_EQ(b.port, 8000);
  EXPECT_FALSE(b.tls);
  EXPECT_EQ(b.host_header(), "127.0.0.1:8000");
  EXPECT_EQ(b.base_path, "");
  auto c = http::parse_endpoint("http://[::1]:9000/prod").value();
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.host_header(), "[::1]:9000");
  EXPECT_EQ(c.base_path, "/prod");
  EXPECT_FALSE(http::parse_endpoint("ftp://x"));
  EXPECT_FALSE(http::parse_endpoint("http://x:99999"));
  EXPECT_FALSE(http::parse_endpoint("nonsense"));
}

TEST(HttpClient, RoundTripAddsHost) {
  test::FakeHttpServer server(echo);
  http::BlockingClient client;
  auto res = client.request(endpoint_of(server), {"POST", "/a?b=1", {{"X-Test", "1"}}, "payload"});
  ASSERT_TRUE(res) << res.error().message();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "/a?b=1|payload");
  EXPECT_EQ(res->header("x-method"), "POST");
  EXPECT_EQ(res->header("X-HOST"), "127.0.0.1:" + std::to_string(server.port()));
}

TEST(HttpClient, KeepsConnectionsAlive) {
  test::FakeHttpServer server(echo);
  http::BlockingClient client;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client.request(endpoint_of(server), {"GET", "/", {}, ""}));
  EXPECT_EQ(server.connections_accepted(), 1);
  EXPECT_EQ(server.requests(), 5);
}

TEST(HttpClient, ReplacesAConnectionTheServerClosed) {
  // The server says keep-alive but closes after every response, as an idle-timeout close looks.
  test::FakeHttpServer server([](const http::Request& r) {
    auto reply = echo(r);
    reply.close_after = true;
    return reply;
  });
  http::BlockingClient client;
  for (int i = 0; i < 4; ++i) {
    auto res = client.request(endpoint_of(server), {"GET", "/x", {}, ""});
    ASSERT_TRUE(res) << i << ": " << res.error().message();
  }
  EXPECT_EQ(server.requests(), 4);
}

TEST(HttpClient, HonoursConnectionClose) {
  test::FakeHttpServer server([](const http::Request& r) {
    auto reply = echo(r);
    reply.headers.push_back({"Connection", "close"});
    return reply;
  });
  http::BlockingClient client;
  ASSERT_TRUE(client.request(endpoint_of(server), {"GET", "/", {}, ""}));
  ASSERT_TRUE(client.request(endpoint_of(server), {"GET", "/", {}, ""}));
  EXPECT_EQ(server.connections_accepted(), 2);
}

TEST(HttpClient, ConnectionRefusedIsAnError) {
  std::uint16_t port;
  { test::FakeHttpServer s(echo); port = s.port(); }
  http::BlockingClient client;
  auto res = client.request(http::parse_endpoint("http://127.0.0.1:" + std::to_string(port)).value(), {});
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error(), boost::asio::error::connection_refused);
}

TEST(HttpClient, TimesOut) {
  test::FakeHttpServer server([](const http::Request& r) {
    auto reply = echo(r);
    reply.delay = 1500ms;
    return reply;
  });
  http::ClientOptions o;
  o.request_timeout = 200ms;
  http::BlockingClient client(o);
  const auto t0 = std::chrono::steady_clock::now();
  auto res = client.request(endpoint_of(server), {});
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error(), boost::beast::error::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1000ms);
}

TEST(HttpClient, PoolIsBounded) {
  test::FakeHttpServer server([](const http::Request& r) {
    auto reply = echo(r);
    reply.delay = 50ms;
    return reply;
  });
  http::ClientOptions o;
  o.max_connections_per_endpoint = 2;
  http::BlockingClient client(o);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] { ok += client.request(endpoint_of(server), {}).has_value(); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 8);
  EXPECT_LE(server.max_concurrent_connections(), 2);
  EXPECT_LE(server.connections_accepted(), 2);
}

// TLS against a local Node https server with a throw-away certificate for "localhost".
class HttpClientTls : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("parley-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    const auto cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost "
                     "-addext subjectAltName=DNS:localhost -keyout " + (dir_ / "key.pem").string() +
                     " -out " + (dir_ / "cert.pem").string() + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "openssl CLI not available";
    const std::string script =
        "const https=require('https'),fs=require('fs');"
        "const s=https.createServer({key:fs.readFileSync(process.argv[1]),cert:fs.readFileSync(process.argv[2])},"
        "(q,r)=>{r.end('tls:'+q.headers.host)});s.listen(0,'127.0.0.1',()=>console.log('listening '+s.address().port));";
    server_ = test::Process::start({"node", "-e", script, (dir_ / "key.pem").string(), (dir_ / "cert.pem").string()});
    if (!server_) GTEST_SKIP() << "node not available";
    auto line = server_->wait_for_line("listening ", 10s);
    if (!line) GTEST_SKIP() << "node https server did not start";
    port_ = static_cast<std::uint16_t>(std::stoi(line->substr(10)));
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<test::Process> server_;
  std::uint16_t port_ = 0;
};

TEST_F(HttpClientTls, VerifiesTheServer) {
  http::ClientOptions trusted;
  trusted.ca_file = (dir_ / "cert.pem").string();
  http::BlockingClient client(trusted);
  auto ok = client.request(http::parse_endpoint("https://localhost:" + std::to_string(port_)).value(), {});
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->body, "tls:localhost:" + std::to_string(port_));

  // The same certificate presented for a name it does not carry.
  auto wrong_name = client.request(http::parse_endpoint("https://127.0.0.1:" + std::to_string(port_)).value(), {});
  EXPECT_FALSE(wrong_name);

  // An issuer the system CAs do not know.
  http::BlockingClient system_cas;
  auto untrusted = system_cas.request(http::parse_endpoint("https://localhost:" + std::to_string(port_)).value(), {});
  EXPECT_FALSE(untrusted);
}

}  // namespace
