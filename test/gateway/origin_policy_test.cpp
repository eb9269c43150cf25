#include "gateway/origin_policy.hpp"

#include <gtest/gtest.h>

namespace {

using gateway::origin_allowed;

TEST(OriginPolicy, AnyOriginPassesWithoutAnAllowList) {
  EXPECT_TRUE(origin_allowed({}, "https://evil.example"));
}

TEST(OriginPolicy, AHandshakeWithoutOriginPasses) {
  EXPECT_TRUE(origin_allowed({"https://chat.example.com"}, ""));
}

TEST(OriginPolicy, OnlyListedOriginsPass) {
  const std::vector<std::string> allowed{"https://chat.example.com", "http://localhost:8080/"};
  EXPECT_TRUE(origin_allowed(allowed, "https://chat.example.com"));
  EXPECT_TRUE(origin_allowed(allowed, "HTTPS://Chat.Example.com"));
  EXPECT_TRUE(origin_allowed(allowed, "http://localhost:8080"));
  EXPECT_FALSE(origin_allowed(allowed, "https://chat.example.com.evil.example"));
  EXPECT_FALSE(origin_allowed(allowed, "http://chat.example.com"));
  EXPECT_FALSE(origin_allowed(allowed, "http://localhost:8081"));
  EXPECT_FALSE(origin_allowed(allowed, "null"));
}

TEST(OriginPolicy, AStarAllowsEveryOrigin) {
  EXPECT_TRUE(origin_allowed({"*"}, "https://anything.example"));
}

}  // namespace
