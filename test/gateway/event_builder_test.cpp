#include "gateway/event_builder.hpp"

#include <regex>

#include <gtest/gtest.h>

#include "apigw/event_codec.hpp"
#include "gateway/authorizer.hpp"
#include "gateway/config.hpp"

namespace gateway {
namespace {

const Config& api_config() {
  static const Config c = [] {
    Config c;
    c.stage = "dev";
    c.api_id = "abc123defg";
    return c;
  }();
  return c;
}

ConnectionMeta meta() {
  ConnectionMeta m;
  m.connection_id = "R1kmxc2VNjMCFIA=";
  m.connected_at = 1738404000000;
  m.peer = PeerText("203.0.113.9", "wscat", "localhost:8080");
  return m;
}

const std::regex id_shape("^[A-Za-z0-9_-]{15}=$");

void expect_common(const apigw::Event& e) {
  const auto& c = e.request_context;
  EXPECT_EQ(c.connection_id, "R1kmxc2VNjMCFIA=");
  EXPECT_EQ(c.connected_at, 1738404000000);
  EXPECT_EQ(c.stage, "dev");
  EXPECT_EQ(c.domain_name, "localhost:8080");
  EXPECT_EQ(c.api_id, "abc123defg");
  EXPECT_EQ(c.identity.source_ip, "203.0.113.9");
  EXPECT_EQ(c.identity.user_agent, "wscat");
  EXPECT_TRUE(std::regex_match(c.request_id, id_shape)) << c.request_id;
  EXPECT_EQ(c.request_time_epoch, 1738404000012);
  EXPECT_EQ(c.request_time, "01/Feb/2025:10:00:00 +0000");
  EXPECT_FALSE(e.is_base64_encoded);
}

TEST(EventBuilder, ConnectCarriesHeadersAndQuery) {
  Handshake h;
  h.headers = {{"Host", "localhost:8080"}, {"Sec-WebSocket-Key", "abc=="}, {"X-Custom", "1"},
               {"X-Custom", "2"}};
  h.target = "/dev?room=lob%20by&name=ann&tag=a&tag=b";
  h.local_port = 8080;
  auto e = connect_event(api_config(), meta(), h, 1738404000012);
  expect_common(e);
  EXPECT_EQ(e.request_context.route_key, "$connect");
  EXPECT_EQ(e.request_context.event_type, apigw::EventType::connect);
  EXPECT_FALSE(e.request_context.message_id);
  EXPECT_FALSE(e.body);
  ASSERT_TRUE(e.headers);
  EXPECT_EQ(e.headers->at("Sec-WebSocket-Key"), "abc==");
  EXPECT_EQ(e.headers->at("X-Forwarded-For"), "203.0.113.9");
  EXPECT_EQ(e.headers->at("X-Forwarded-Port"), "8080");
  EXPECT_EQ(e.headers->at("X-Forwarded-Proto"), "http");
  EXPECT_EQ(e.headers->at("X-Amzn-Trace-Id").rfind("Root=1-", 0), 0u);
  EXPECT_EQ(e.multi_value_headers->at("X-Custom"), (std::vector<std::string>{"1", "2"}));
  ASSERT_TRUE(e.query_string_parameters);
  EXPECT_EQ(e.query_string_parameters->at("room"), "lob by");  // decoded, as AWS passes it
  EXPECT_EQ(e.query_string_parameters->at("name"), "ann");
  EXPECT_EQ(e.multi_value_query_string_parameters->at("tag"),
            (std::vector<std::string>{"a", "b"}));
}

TEST(EventBuilder, ConnectWithoutQueryHasNoQueryMaps) {
  Handshake h;
  h.target = "/dev";
  auto e = connect_event(api_config(), meta(), h, 1738404000012);
  EXPECT_FALSE(e.query_string_parameters);
  EXPECT_FALSE(e.multi_value_query_string_parameters);
  const auto wire = apigw::encode(e);
  EXPECT_EQ(wire.find("queryStringParameters"), std::string::npos);
}

TEST(EventBuilder, ClientCannotForgeForwardedFor) {
  Handshake h;
  h.headers = {{"X-Forwarded-For", "10.0.0.1"}};
  h.target = "/dev";
  auto e = connect_event(api_config(), meta(), h, 1738404000012);
  EXPECT_EQ(e.headers->at("X-Forwarded-For"), "203.0.113.9");
  EXPECT_EQ(e.multi_value_headers->at("X-Forwarded-For"),
            (std::vector<std::string>{"203.0.113.9"}));
}

TEST(EventBuilder, MessageHasBodyAndMessageIdButNoHeaders) {
  auto e = message_event(api_config(), meta(), "sendmessage", R"({"action":"sendmessage"})",
                         1738404000012);
  expect_common(e);
  EXPECT_EQ(e.request_context.route_key, "sendmessage");
  EXPECT_EQ(e.request_context.event_type, apigw::EventType::message);
  ASSERT_TRUE(e.request_context.message_id);
  EXPECT_TRUE(std::regex_match(*e.request_context.message_id, id_shape));
  EXPECT_EQ(e.body, R"({"action":"sendmessage"})");
  EXPECT_FALSE(e.headers);
  EXPECT_FALSE(e.query_string_parameters);
  EXPECT_FALSE(e.request_context.disconnect_status_code);
}

TEST(EventBuilder, DisconnectHasStatusReasonAndTheFixedHeaderMap) {
  auto e = disconnect_event(api_config(), meta(), 1005, "Client-side close frame status not set",
                            1738404000012);
  expect_common(e);
  EXPECT_EQ(e.request_context.route_key, "$disconnect");
  EXPECT_EQ(e.request_context.event_type, apigw::EventType::disconnect);
  EXPECT_EQ(e.request_context.disconnect_status_code, 1005);
  EXPECT_EQ(e.request_context.disconnect_reason, "Client-side close frame status not set");
  EXPECT_FALSE(e.body);
  EXPECT_FALSE(e.request_context.message_id);
  ASSERT_TRUE(e.headers);
  EXPECT_EQ(e.headers->size(), 4u);
  EXPECT_EQ(e.headers->at("Host"), "localhost:8080");
  EXPECT_EQ(e.headers->at("x-api-key"), "");
  EXPECT_EQ(e.headers->at("X-Forwarded-For"), "");
  EXPECT_EQ(e.headers->at("x-restapi"), "");
}

TEST(EventBuilder, EveryEventGetsItsOwnRequestId) {
  auto a = message_event(api_config(), meta(), "$default", "x", 1);
  auto b = message_event(api_config(), meta(), "$default", "x", 1);
  EXPECT_NE(a.request_context.request_id, b.request_context.request_id);
  EXPECT_NE(a.request_context.message_id, b.request_context.message_id);
}

}  // namespace
}  // namespace gateway

namespace gateway {
namespace {

TEST(EventBuilder, TheAuthorizerContextReachesEveryEventOfTheConnection) {
  auto m = meta();
  EXPECT_FALSE(
      message_event(api_config(), m, "sendmessage", "{}", 1738404000012).request_context.authorizer);
  AuthDecision d;
  d.outcome = AuthDecision::Outcome::allow;
  d.principal_id = "user-1";
  d.context = {{"userId", "user-1"}, {"name", "ann"}, {"principalId", "forged"}};
  m.authorizer = StoredContext(authorizer_context(d, 2));
  Handshake h;
  h.target = "/dev";
  for (const auto& e : {connect_event(api_config(), m, h, 1738404000012),
                        message_event(api_config(), m, "sendmessage", "{}", 1738404000012),
                        disconnect_event(api_config(), m, 1000, "", 1738404000012)}) {
    ASSERT_TRUE(e.request_context.authorizer) << apigw::to_string(e.request_context.event_type);
    const auto& a = *e.request_context.authorizer;
    EXPECT_EQ(a.at("principalId"), "user-1");  // a context key cannot override it
    EXPECT_EQ(a.at("userId"), "user-1");
    EXPECT_EQ(a.at("name"), "ann");
    EXPECT_EQ(a.at("integrationLatency"), 2);
  }
}

}  // namespace
}  // namespace gateway
