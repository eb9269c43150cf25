#include "apigw/ws_event.hpp"

#include <gtest/gtest.h>

#include <string>

#include "apigw/event_codec.hpp"  // defines to_string(EventType)

namespace {

TEST(EventType, HasTheWireNames) {
  EXPECT_STREQ(apigw::to_string(apigw::EventType::connect), "CONNECT");
  EXPECT_STREQ(apigw::to_string(apigw::EventType::message), "MESSAGE");
  EXPECT_STREQ(apigw::to_string(apigw::EventType::disconnect), "DISCONNECT");
}

TEST(Response, DefaultsTo200WithNothingElse) {
  apigw::Response r;
  EXPECT_EQ(r.status_code, 200);
  EXPECT_TRUE(r.headers.empty());
  EXPECT_FALSE(r.body);
  EXPECT_TRUE(r.ok());
}

TEST(Response, OkIsExactly2xx) {
  const auto with = [](int code) {
    apigw::Response r;
    r.status_code = code;
    return r;
  };
  for (int code : {200, 201, 204, 299}) EXPECT_TRUE(with(code).ok()) << code;
  for (int code : {0, 101, 199, 300, 400, 403, 500, 502}) EXPECT_FALSE(with(code).ok()) << code;
}

TEST(Event, DefaultsMatchAnEmptyMessageEvent) {
  apigw::Event e;
  EXPECT_EQ(e.request_context.event_type, apigw::EventType::message);
  EXPECT_FALSE(e.is_base64_encoded);
  EXPECT_FALSE(e.headers);
  EXPECT_FALSE(e.query_string_parameters);
  EXPECT_FALSE(e.body);
  EXPECT_FALSE(e.request_context.message_id);
  EXPECT_FALSE(e.request_context.disconnect_status_code);
}

}  // namespace
