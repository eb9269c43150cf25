#include "apigw/route_key.hpp"

#include <gtest/gtest.h>

namespace {

namespace rk = apigw::route_key;

TEST(RouteKey, ReservedKeysAreApiGatewaysSpelling) {
  EXPECT_EQ(rk::connect, "$connect");
  EXPECT_EQ(rk::disconnect, "$disconnect");
  EXPECT_EQ(rk::default_, "$default");
}

TEST(RouteKey, KeysStartingWithDollarAreReserved) {
  EXPECT_TRUE(rk::is_reserved(rk::connect));
  EXPECT_TRUE(rk::is_reserved(rk::disconnect));
  EXPECT_TRUE(rk::is_reserved(rk::default_));
  EXPECT_TRUE(rk::is_reserved("$anything"));
  EXPECT_TRUE(rk::is_reserved("$"));
}

TEST(RouteKey, CustomKeysAreNotReserved) {
  EXPECT_FALSE(rk::is_reserved("sendmessage"));
  EXPECT_FALSE(rk::is_reserved("default"));
  EXPECT_FALSE(rk::is_reserved("a$"));
  EXPECT_FALSE(rk::is_reserved(""));
}

}  // namespace
