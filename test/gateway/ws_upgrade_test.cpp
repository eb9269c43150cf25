#include "gateway/ws_upgrade.hpp"

#include <gtest/gtest.h>

namespace gateway::ws_upgrade {
namespace {
namespace http = boost::beast::http;

http::request<http::string_body> upgrade(std::string_view version, std::string_view key) {
  http::request<http::string_body> r{http::verb::get, "/dev", 11};
  r.set(http::field::connection, "Upgrade");
  r.set(http::field::upgrade, "websocket");
  if (!version.empty()) r.set(http::field::sec_websocket_version, version);
  if (!key.empty()) r.set(http::field::sec_websocket_key, key);
  return r;
}

TEST(WsUpgrade, AcceptKeyIsTheRfcExample) {
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsUpgrade, AGoodRequestPasses) {
  EXPECT_FALSE(check(upgrade("13", "dGhlIHNhbXBsZSBub25jZQ==")));
  EXPECT_FALSE(check(upgrade("13", "AAAAAAAAAAAAAAAAAAAA+/==")));
}

TEST(WsUpgrade, AnotherVersionIs426) {
  for (auto v : {"8", "14", "", "13, 8"}) {
    auto r = check(upgrade(v, "dGhlIHNhbXBsZSBub25jZQ=="));
    ASSERT_TRUE(r) << v;
    EXPECT_EQ(r->status, 426u);
  }
}

TEST(WsUpgrade, AKeyThatIsNotSixteenBytesOfBase64Is400) {
  for (auto k : {"", "dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZQ===", "dGhlIHNhbXBsZSBub25jZ===",
                 "dGhlIHNhbXBsZSBub25j!Q==", "dGhlIHNhbXBsZSBub25jZQ==dGhl",
                 "dGhlIHNhbXBsZSBub25jZSE="}) {
    auto r = check(upgrade("13", k));
    ASSERT_TRUE(r) << k;
    EXPECT_EQ(r->status, 400u) << k;
  }
}

TEST(WsUpgrade, AnySixteenBytesOfBase64Pass) {
  // The standard alphabet's '+' and '/', and stray bits after the 16th byte ('R' where a
  // canonical encoder writes 'Q'): the key is only hashed.
  for (auto k : {"dGhlIHNhbXBsZSBub25jZQ==", "++++////AAAAAAAAAAAAAA==", "dGhlIHNhbXBsZSBub25jZR=="})
    EXPECT_FALSE(check(upgrade("13", k))) << k;
}

TEST(WsUpgrade, TheAnswerIsA101WithTheAcceptKey) {
  EXPECT_EQ(switching_protocols("dGhlIHNhbXBsZSBub25jZQ==", ""),
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nServer: Parley\r\n\r\n");
}

TEST(WsUpgrade, OnlyATokenIsEchoedAsTheSubprotocol) {
  EXPECT_NE(switching_protocols("dGhlIHNhbXBsZSBub25jZQ==", "chat.v1")
                .find("\r\nSec-WebSocket-Protocol: chat.v1\r\n"),
            std::string::npos);
  for (auto bad : {"a b", "x\r\nSet-Cookie: y", "a,b"})
    EXPECT_EQ(switching_protocols("dGhlIHNhbXBsZSBub25jZQ==", bad).find("Sec-WebSocket-Protocol"),
              std::string::npos)
        << bad;
}

}  // namespace
}  // namespace gateway::ws_upgrade
