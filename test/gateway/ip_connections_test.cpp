#include "gateway/ip_connections.hpp"

#include <gtest/gtest.h>

namespace gateway {
namespace {

TEST(IpConnections, AdmitsUpToTheCapPerAddress) {
  IpConnections c(2);
  EXPECT_TRUE(c.admit("10.0.0.1"));
  EXPECT_TRUE(c.admit("10.0.0.1"));
  EXPECT_FALSE(c.admit("10.0.0.1"));
  EXPECT_EQ(c.count("10.0.0.1"), 2u);
  EXPECT_TRUE(c.admit("10.0.0.2"));
}

TEST(IpConnections, AReleasedSlotIsReusable) {
  IpConnections c(1);
  ASSERT_TRUE(c.admit("::1"));
  EXPECT_FALSE(c.admit("::1"));
  c.release("::1");
  EXPECT_EQ(c.count("::1"), 0u);
  EXPECT_TRUE(c.admit("::1"));
}

TEST(IpConnections, ZeroMeansNoCap) {
  IpConnections c(0);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(c.admit("1.2.3.4"));
  EXPECT_EQ(c.count("1.2.3.4"), 1000u);
}

TEST(IpConnections, ReleasingAnUnknownAddressIsHarmless) {
  IpConnections c(1);
  c.release("5.6.7.8");
  EXPECT_TRUE(c.admit("5.6.7.8"));
  EXPECT_FALSE(c.admit("5.6.7.8"));
}

}  // namespace
}  // namespace gateway
