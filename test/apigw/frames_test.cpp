#include "apigw/frames.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

namespace {

namespace json = boost::json;

TEST(GatewayError, HasExactlyMessageConnectionIdAndRequestId) {
  const auto text = apigw::frames::gateway_error(apigw::frames::forbidden, "Xq1aAbCdEfGhIjA=", "Xq1aBcDeFgHiJkA=");
  const auto v = json::parse(text);
  ASSERT_TRUE(v.is_object());
  const auto& o = v.as_object();
  EXPECT_EQ(o.size(), 3u);  // no "type": these are API Gateway's own frames
  EXPECT_EQ(o.at("message"), "Forbidden");
  EXPECT_EQ(o.at("connectionId"), "Xq1aAbCdEfGhIjA=");
  EXPECT_EQ(o.at("requestId"), "Xq1aBcDeFgHiJkA=");
}

TEST(GatewayError, SerializesInApiGatewayOrder) {
  EXPECT_EQ(apigw::frames::gateway_error(apigw::frames::internal_error, "c=", "r="),
            R"({"message":"Internal server error","connectionId":"c=","requestId":"r="})");
}

TEST(GatewayError, MessagesAreApiGatewaysWording) {
  EXPECT_EQ(apigw::frames::forbidden, "Forbidden");
  EXPECT_EQ(apigw::frames::internal_error, "Internal server error");
  EXPECT_EQ(apigw::frames::timed_out, "Endpoint request timed out");
}

TEST(GatewayError, EscapesItsArguments) {
  const auto text = apigw::frames::gateway_error("a \"quoted\"\nmessage", "id\\\"", "</script>");
  const auto o = json::parse(text).as_object();
  EXPECT_EQ(o.at("message"), "a \"quoted\"\nmessage");
  EXPECT_EQ(o.at("connectionId"), "id\\\"");
  EXPECT_EQ(o.at("requestId"), "</script>");
}

}  // namespace
