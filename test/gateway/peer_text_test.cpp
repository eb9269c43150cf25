#include "gateway/peer_text.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace gateway {
namespace {

TEST(PeerText, GivesBackEachString) {
  const std::string agent =
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/156.0 Safari/537.36";
  const PeerText p("2001:db8::1", agent, "chat.example.com");
  EXPECT_EQ(p.source_ip(), "2001:db8::1");
  ASSERT_TRUE(p.user_agent());
  EXPECT_EQ(*p.user_agent(), agent);
  EXPECT_EQ(p.user_agent_string(), agent);
  EXPECT_EQ(p.domain_name(), "chat.example.com");
}

TEST(PeerText, AnAbsentUserAgentIsNotAnEmptyOne) {
  const PeerText absent("127.0.0.1", std::nullopt, "localhost:8080");
  EXPECT_FALSE(absent.user_agent());
  EXPECT_FALSE(absent.user_agent_string());
  EXPECT_EQ(absent.domain_name(), "localhost:8080");
  const PeerText empty("127.0.0.1", std::string_view(), "localhost:8080");
  ASSERT_TRUE(empty.user_agent());
  EXPECT_EQ(*empty.user_agent(), "");
  EXPECT_EQ(empty.user_agent_string(), std::string());
  EXPECT_EQ(empty.domain_name(), "localhost:8080");
}

TEST(PeerText, EmptyAndDefaultHoldNothing) {
  const PeerText none;
  EXPECT_EQ(none.source_ip(), "");
  EXPECT_FALSE(none.user_agent());
  EXPECT_EQ(none.domain_name(), "");
  const PeerText blank("", std::nullopt, "");
  EXPECT_EQ(blank.source_ip(), "");
  EXPECT_EQ(blank.domain_name(), "");
}

TEST(PeerText, CopiesAreDeepAndMovesKeepTheText) {
  PeerText a("10.0.0.7", "curl/8.0", "api.example.com");
  PeerText b = a;
  PeerText c;
  c = b;
  const PeerText moved = std::move(a);
  const PeerText* all[] = {&b, &c, &moved};
  for (const PeerText* p : all) {
    EXPECT_EQ(p->source_ip(), "10.0.0.7");
    EXPECT_EQ(p->user_agent(), std::optional<std::string_view>("curl/8.0"));
    EXPECT_EQ(p->domain_name(), "api.example.com");
  }
  EXPECT_NE(b.source_ip().data(), c.source_ip().data());
}

TEST(PeerText, ALongHeaderIsRefusedNotCut) {
  const std::string huge(70000, 'a');
  EXPECT_THROW(PeerText("127.0.0.1", huge, "h"), std::length_error);
  EXPECT_THROW(PeerText("127.0.0.1", std::nullopt, huge), std::length_error);
  const std::string longest(65535, 'b');
  EXPECT_EQ(PeerText("127.0.0.1", longest, "h").user_agent()->size(), 65535u);
}

TEST(PeerText, IsSixteenBytes) { EXPECT_EQ(sizeof(PeerText), 16u); }

}  // namespace
}  // namespace gateway
