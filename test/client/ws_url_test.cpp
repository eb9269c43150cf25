#include "client/ws_url.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace {

using client::WsUrl;

TEST(WsUrl, Plain) {
  const auto u = WsUrl::parse("ws://localhost:8080/dev");
  EXPECT_FALSE(u.tls);
  EXPECT_EQ(u.host, "localhost");
  EXPECT_EQ(u.port, "8080");
  EXPECT_EQ(u.authority, "localhost:8080");
  EXPECT_EQ(u.target, "/dev");
  EXPECT_EQ(u.text(), "ws://localhost:8080/dev");
}

TEST(WsUrl, DefaultPortsAndPath) {
  EXPECT_EQ(WsUrl::parse("ws://example.com").port, "80");
  EXPECT_EQ(WsUrl::parse("ws://example.com").target, "/");
  const auto s = WsUrl::parse("wss://abc.execute-api.eu-west-1.amazonaws.com/prod");
  EXPECT_TRUE(s.tls);
  EXPECT_EQ(s.port, "443");
  EXPECT_EQ(s.authority, "abc.execute-api.eu-west-1.amazonaws.com");
}

TEST(WsUrl, Ipv6HostHasNoBrackets) {
  const auto u = WsUrl::parse("ws://[::1]:9000/dev");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.authority, "[::1]:9000");
}

TEST(WsUrl, RefusesOtherSchemes) {
  EXPECT_THROW(WsUrl::parse("http://localhost/dev"), std::invalid_argument);
  EXPECT_THROW(WsUrl::parse("localhost:8080"), std::invalid_argument);
  EXPECT_THROW(WsUrl::parse("ws:///dev"), std::invalid_argument);
  EXPECT_THROW(WsUrl::parse("not a url"), std::invalid_argument);
}

TEST(WsUrl, QueryParametersArePercentEncoded) {
  const auto u = WsUrl::parse("ws://h/dev").with_query(
      {{"room", "lobby"}, {"name", "Ann Smith"}, {"token", "a&b=c/d?+%"}});
  EXPECT_EQ(u.target, "/dev?room=lobby&name=Ann%20Smith&token=a%26b%3Dc%2Fd%3F%2B%25");
}

TEST(WsUrl, QueryOnTheRootPath) {
  EXPECT_EQ(WsUrl::parse("ws://h").with_query({{"room", "a"}}).target, "/?room=a");
  EXPECT_EQ(WsUrl::parse("wss://h/").with_query({}).target, "/");
}

TEST(WsUrl, QueryReplacesAndKeeps) {
  const auto u = WsUrl::parse("ws://h/dev?x=1&name=old").with_query({{"name", "new"}});
  EXPECT_EQ(u.target, "/dev?x=1&name=new");
}

}  // namespace
