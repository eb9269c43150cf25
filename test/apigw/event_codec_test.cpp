#include "apigw/event_codec.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace {

namespace json = boost::json;
using apigw::Event;
using apigw::EventType;

// The same connection in all three events, values from aws-contract.md §2.3.
constexpr std::int64_t connected_at = 1738404000000;

Event base_event(std::string route_key, EventType type) {
  Event e;
  auto& c = e.request_context;
  c.route_key = std::move(route_key);
  c.event_type = type;
  c.connection_id = "Xq1aAbCdEfGhIjA=";
  c.request_id = "Xq1aBcDeFgHiJkA=";
  c.request_time = "01/Feb/2025:10:00:00 +0000";
  c.request_time_epoch = 1738404000012;
  c.connected_at = connected_at;
  c.stage = "prod";
  c.domain_name = "abc123.execute-api.eu-west-1.amazonaws.com";
  c.api_id = "abc123";
  c.identity.source_ip = "203.0.113.9";
  return e;
}

Event connect_event() {
  Event e = base_event("$connect", EventType::connect);
  e.request_context.identity.user_agent = "Mozilla/5.0";
  e.headers = apigw::HeaderMap{{"Host", "abc123.execute-api.eu-west-1.amazonaws.com"},
                               {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                               {"Sec-WebSocket-Version", "13"},
                               {"X-Forwarded-For", "203.0.113.9"}};
  e.multi_value_headers = apigw::MultiValueMap{{"Host", {"abc123.execute-api.eu-west-1.amazonaws.com"}},
                                               {"Sec-WebSocket-Version", {"13"}}};
  e.query_string_parameters = apigw::HeaderMap{{"room", "lobby"}, {"name", "alice"}};
  e.multi_value_query_string_parameters =
      apigw::MultiValueMap{{"room", {"lobby"}}, {"name", {"alice", "bob"}}};
  return e;
}

Event message_event() {
  Event e = base_event("sendmessage", EventType::message);
  e.request_context.message_id = "Xq1aCdEfGhIjKlA=";
  e.body = R"({"action":"sendmessage","message":"hi \"you\" \u00e9"})";
  return e;
}

Event disconnect_event(int code = 1001, std::string reason = "Going away") {
  Event e = base_event("$disconnect", EventType::disconnect);
  e.headers = apigw::HeaderMap{{"Host", "abc123.execute-api.eu-west-1.amazonaws.com"},
                               {"x-api-key", ""},
                               {"X-Forwarded-For", ""},
                               {"x-restapi", ""}};
  e.multi_value_headers = apigw::MultiValueMap{{"Host", {"abc123.execute-api.eu-west-1.amazonaws.com"}},
                                               {"x-api-key", {""}},
                                               {"X-Forwarded-For", {""}},
                                               {"x-restapi", {""}}};
  e.request_context.disconnect_status_code = code;
  e.request_context.disconnect_reason = std::move(reason);
  return e;
}

json::object encoded(const Event& e) {
  const std::string text = apigw::encode(e);
  json::value v = json::parse(text);
  EXPECT_TRUE(v.is_object());
  EXPECT_EQ(v, apigw::to_json(e)) << "encode and to_json disagree";
  return v.as_object();
}

std::set<std::string> keys(const json::object& o) {
  std::set<std::string> out;
  for (const auto& kv : o) out.insert(std::string(kv.key()));
  return out;
}

// Every field of the event model, one by one, so a failure names the field.
void expect_same(const Event& a, const Event& b) {
  const auto& x = a.request_context;
  const auto& y = b.request_context;
  EXPECT_EQ(x.route_key, y.route_key);
  EXPECT_EQ(x.event_type, y.event_type);
  EXPECT_EQ(x.connection_id, y.connection_id);
  EXPECT_EQ(x.request_id, y.request_id);
  EXPECT_EQ(x.message_id, y.message_id);
  EXPECT_EQ(x.request_time, y.request_time);
  EXPECT_EQ(x.request_time_epoch, y.request_time_epoch);
  EXPECT_EQ(x.connected_at, y.connected_at);
  EXPECT_EQ(x.stage, y.stage);
  EXPECT_EQ(x.domain_name, y.domain_name);
  EXPECT_EQ(x.api_id, y.api_id);
  EXPECT_EQ(x.identity.source_ip, y.identity.source_ip);
  EXPECT_EQ(x.identity.user_agent, y.identity.user_agent);
  EXPECT_EQ(x.disconnect_status_code, y.disconnect_status_code);
  EXPECT_EQ(x.disconnect_reason, y.disconnect_reason);
  EXPECT_EQ(x.authorizer, y.authorizer);
  EXPECT_EQ(a.headers, b.headers);
  EXPECT_EQ(a.multi_value_headers, b.multi_value_headers);
  EXPECT_EQ(a.query_string_parameters, b.query_string_parameters);
  EXPECT_EQ(a.multi_value_query_string_parameters, b.multi_value_query_string_parameters);
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(a.is_base64_encoded, b.is_base64_encoded);
}

void expect_round_trip(const Event& e) {
  auto back = apigw::decode_event(apigw::encode(e));
  ASSERT_TRUE(back) << back.error().message();
  expect_same(*back, e);
}

void expect_invalid(std::string_view text) {
  core::result<Event> r = core::errc::internal;
  EXPECT_NO_THROW(r = apigw::decode_event(text)) << text.substr(0, 200);
  ASSERT_FALSE(r) << "accepted: " << text.substr(0, 200);
  EXPECT_EQ(r.error(), core::errc::invalid_argument) << text.substr(0, 200);
}

// ---- encode: the wire keys of aws-contract.md §2 ----

TEST(EncodeEvent, ConnectHasTheContractKeys) {
  const auto o = encoded(connect_event());
  EXPECT_EQ(keys(o), (std::set<std::string>{"headers", "multiValueHeaders", "queryStringParameters",
                                            "multiValueQueryStringParameters", "requestContext",
                                            "isBase64Encoded"}));
  const auto& c = o.at("requestContext").as_object();
  EXPECT_EQ(keys(c), (std::set<std::string>{"routeKey", "eventType", "extendedRequestId", "requestTime",
                                            "messageDirection", "stage", "connectedAt",
                                            "requestTimeEpoch", "identity", "requestId", "domainName",
                                            "connectionId", "apiId"}));
  EXPECT_EQ(c.at("routeKey"), "$connect");
  EXPECT_EQ(c.at("eventType"), "CONNECT");
  EXPECT_EQ(c.at("messageDirection"), "IN");
  EXPECT_EQ(c.at("connectionId"), "Xq1aAbCdEfGhIjA=");
  EXPECT_EQ(c.at("requestId"), "Xq1aBcDeFgHiJkA=");
  EXPECT_EQ(c.at("extendedRequestId"), c.at("requestId"));
  EXPECT_EQ(c.at("requestTime"), "01/Feb/2025:10:00:00 +0000");
  EXPECT_EQ(c.at("stage"), "prod");
  EXPECT_EQ(c.at("domainName"), "abc123.execute-api.eu-west-1.amazonaws.com");
  EXPECT_EQ(c.at("apiId"), "abc123");
  const auto& identity = c.at("identity").as_object();
  EXPECT_EQ(identity.at("sourceIp"), "203.0.113.9");
  EXPECT_EQ(identity.at("userAgent"), "Mozilla/5.0");
  EXPECT_EQ(o.at("headers").at("Sec-WebSocket-Version"), "13");
  EXPECT_EQ(o.at("queryStringParameters").at("room"), "lobby");
  EXPECT_EQ(o.at("multiValueQueryStringParameters").at("name"), (json::array{"alice", "bob"}));
  EXPECT_EQ(o.at("multiValueHeaders").at("Host"), (json::array{"abc123.execute-api.eu-west-1.amazonaws.com"}));
}

TEST(EncodeEvent, EpochFieldsAreNumbersNotStrings) {
  for (const auto& e : {connect_event(), message_event(), disconnect_event()}) {
    const auto c = encoded(e).at("requestContext").as_object();
    ASSERT_TRUE(c.at("connectedAt").is_number());
    ASSERT_TRUE(c.at("requestTimeEpoch").is_number());
    EXPECT_EQ(c.at("connectedAt").to_number<std::int64_t>(), connected_at);
    EXPECT_EQ(c.at("requestTimeEpoch").to_number<std::int64_t>(), 1738404000012);
  }
}

TEST(EncodeEvent, IsBase64EncodedIsFalseInEveryEvent) {
  for (const auto& e : {connect_event(), message_event(), disconnect_event()}) {
    const auto o = encoded(e);
    ASSERT_TRUE(o.at("isBase64Encoded").is_bool());
    EXPECT_FALSE(o.at("isBase64Encoded").get_bool());
  }
}

TEST(EncodeEvent, MessageHasMessageIdAndBodyOnly) {
  const auto e = message_event();
  const auto o = encoded(e);
  EXPECT_EQ(keys(o), (std::set<std::string>{"requestContext", "body", "isBase64Encoded"}));
  ASSERT_TRUE(o.at("body").is_string());
  EXPECT_EQ(o.at("body").as_string(), *e.body);  // the frame as received, as a string
  const auto& c = o.at("requestContext").as_object();
  EXPECT_EQ(c.at("eventType"), "MESSAGE");
  EXPECT_EQ(c.at("routeKey"), "sendmessage");
  EXPECT_EQ(c.at("messageId"), "Xq1aCdEfGhIjKlA=");
  EXPECT_FALSE(c.contains("disconnectStatusCode"));
  EXPECT_FALSE(c.contains("disconnectReason"));
  EXPECT_EQ(keys(c.at("identity").as_object()), std::set<std::string>{"sourceIp"});
}

TEST(EncodeEvent, MessageIdOnlyOnMessage) {
  EXPECT_FALSE(encoded(connect_event()).at("requestContext").as_object().contains("messageId"));
  EXPECT_FALSE(encoded(disconnect_event()).at("requestContext").as_object().contains("messageId"));
  EXPECT_TRUE(encoded(message_event()).at("requestContext").as_object().contains("messageId"));
}

TEST(EncodeEvent, DisconnectHasStatusCodeReasonAndFixedHeaders) {
  const auto o = encoded(disconnect_event(1001, "Going away"));
  EXPECT_EQ(keys(o), (std::set<std::string>{"headers", "multiValueHeaders", "requestContext",
                                            "isBase64Encoded"}));
  EXPECT_EQ(keys(o.at("headers").as_object()),
            (std::set<std::string>{"Host", "x-api-key", "X-Forwarded-For", "x-restapi"}));
  const auto& c = o.at("requestContext").as_object();
  EXPECT_EQ(c.at("routeKey"), "$disconnect");
  EXPECT_EQ(c.at("eventType"), "DISCONNECT");
  ASSERT_TRUE(c.at("disconnectStatusCode").is_number());
  EXPECT_EQ(c.at("disconnectStatusCode").to_number<int>(), 1001);
  EXPECT_EQ(c.at("disconnectReason"), "Going away");
  EXPECT_EQ(keys(c), (std::set<std::string>{"routeKey", "eventType", "extendedRequestId", "requestTime",
                                            "messageDirection", "disconnectStatusCode",
                                            "disconnectReason", "stage", "connectedAt",
                                            "requestTimeEpoch", "identity", "requestId", "domainName",
                                            "connectionId", "apiId"}));
}

TEST(EncodeEvent, EmptyDisconnectReasonIsAnEmptyStringNotAbsent) {
  const auto c = encoded(disconnect_event(1005, "")).at("requestContext").as_object();
  ASSERT_TRUE(c.contains("disconnectReason"));
  EXPECT_EQ(c.at("disconnectReason"), "");
  EXPECT_EQ(c.at("disconnectStatusCode").to_number<int>(), 1005);
}

TEST(EncodeEvent, NoDisconnectFieldsOnConnectOrMessage) {
  for (const auto& e : {connect_event(), message_event()}) {
    const auto c = encoded(e).at("requestContext").as_object();
    EXPECT_FALSE(c.contains("disconnectStatusCode"));
    EXPECT_FALSE(c.contains("disconnectReason"));
  }
}

TEST(EncodeEvent, QueryStringParametersAbsentWhenNotSet) {
  auto e = connect_event();
  e.query_string_parameters.reset();
  e.multi_value_query_string_parameters.reset();
  const auto o = encoded(e);
  EXPECT_FALSE(o.contains("queryStringParameters"));
  EXPECT_FALSE(o.contains("multiValueQueryStringParameters"));
  EXPECT_TRUE(o.contains("headers"));
}

TEST(EncodeEvent, QueryAndHeadersAbsentOnMessage) {
  const auto o = encoded(message_event());
  EXPECT_FALSE(o.contains("headers"));
  EXPECT_FALSE(o.contains("multiValueHeaders"));
  EXPECT_FALSE(o.contains("queryStringParameters"));
  EXPECT_FALSE(o.contains("multiValueQueryStringParameters"));
}

TEST(EncodeEvent, BodyAbsentOnConnectAndDisconnect) {
  EXPECT_FALSE(encoded(connect_event()).contains("body"));
  EXPECT_FALSE(encoded(disconnect_event()).contains("body"));
}

TEST(EncodeEvent, AuthorizerOnlyWhenSet) {
  EXPECT_FALSE(encoded(connect_event()).at("requestContext").as_object().contains("authorizer"));
  auto e = message_event();
  e.request_context.authorizer = json::object{{"principalId", "user-1"}, {"integrationLatency", 12},
                                              {"tenant", "acme"}};
  const auto c = encoded(e).at("requestContext").as_object();
  EXPECT_EQ(c.at("authorizer").at("principalId"), "user-1");
  EXPECT_EQ(c.at("authorizer").at("tenant"), "acme");
}

TEST(EncodeEvent, EscapesControlAndQuoteCharacters) {
  auto e = message_event();
  e.body = std::string("line1\nline2\t\"quoted\" \\ \x01 end");
  const auto back = apigw::decode_event(apigw::encode(e));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->body, e.body);
}

// ---- round trips ----

TEST(DecodeEvent, RoundTripsConnect) { expect_round_trip(connect_event()); }
TEST(DecodeEvent, RoundTripsMessage) { expect_round_trip(message_event()); }
TEST(DecodeEvent, RoundTripsDisconnect) { expect_round_trip(disconnect_event(1000, "")); }

TEST(DecodeEvent, RoundTripsConnectWithoutQueryAndWithAuthorizer) {
  auto e = connect_event();
  e.query_string_parameters.reset();
  e.multi_value_query_string_parameters.reset();
  e.request_context.identity.user_agent.reset();
  e.request_context.authorizer = json::object{{"principalId", "me"}, {"integrationLatency", 3}};
  expect_round_trip(e);
}

TEST(DecodeEvent, RoundTripsEmptyMapsAndEmptyBody) {
  auto e = message_event();
  e.body = "";
  expect_round_trip(e);
  auto c = connect_event();
  c.headers = apigw::HeaderMap{};
  c.query_string_parameters = apigw::HeaderMap{};
  expect_round_trip(c);
}

TEST(DecodeEvent, RoundTripsLargeEpochsAndUnicode) {
  auto e = message_event();
  e.request_context.connected_at = 4102444800000;  // 2100-01-01
  e.request_context.request_time_epoch = 4102444800001;
  e.body = "\xE2\x82\xAC \xF0\x9F\x98\x80 \xC3\xA9";
  expect_round_trip(e);
}

// ---- decoding events as AWS sends them ----

TEST(DecodeEvent, ReadsACapturedConnectEvent) {
  // The CONNECT skeleton of aws-contract.md §2.3.
  const char* text = R"({"headers":{"Host":"abc123.execute-api.eu-west-1.amazonaws.com","Sec-WebSocket-Key":"dGhlIHNhbXBsZSBub25jZQ==","Sec-WebSocket-Version":"13","X-Forwarded-For":"203.0.113.9","X-Forwarded-Port":"443","X-Forwarded-Proto":"https"},
 "multiValueHeaders":{"Host":["abc123.execute-api.eu-west-1.amazonaws.com"]},
 "queryStringParameters":{"room":"lobby"},"multiValueQueryStringParameters":{"room":["lobby"]},
 "requestContext":{"routeKey":"$connect","eventType":"CONNECT","extendedRequestId":"Xq1aBcDeFgHiJkA=","requestTime":"01/Feb/2025:10:00:00 +0000",
  "messageDirection":"IN","stage":"prod","connectedAt":1738404000000,"requestTimeEpoch":1738404000012,
  "identity":{"sourceIp":"203.0.113.9"},"requestId":"Xq1aBcDeFgHiJkA=","domainName":"abc123.execute-api.eu-west-1.amazonaws.com",
  "connectionId":"Xq1aAbCdEfGhIjA=","apiId":"abc123"},
 "isBase64Encoded":false})";
  auto r = apigw::decode_event(text);
  ASSERT_TRUE(r) << r.error().message();
  const auto& c = r->request_context;
  EXPECT_EQ(c.route_key, "$connect");
  EXPECT_EQ(c.event_type, EventType::connect);
  EXPECT_EQ(c.connection_id, "Xq1aAbCdEfGhIjA=");
  EXPECT_EQ(c.request_id, "Xq1aBcDeFgHiJkA=");
  EXPECT_FALSE(c.message_id);
  EXPECT_EQ(c.request_time, "01/Feb/2025:10:00:00 +0000");
  EXPECT_EQ(c.request_time_epoch, 1738404000012);
  EXPECT_EQ(c.connected_at, 1738404000000);
  EXPECT_EQ(c.stage, "prod");
  EXPECT_EQ(c.domain_name, "abc123.execute-api.eu-west-1.amazonaws.com");
  EXPECT_EQ(c.api_id, "abc123");
  EXPECT_EQ(c.identity.source_ip, "203.0.113.9");
  EXPECT_FALSE(c.identity.user_agent);
  EXPECT_FALSE(c.disconnect_status_code);
  EXPECT_FALSE(c.disconnect_reason);
  EXPECT_FALSE(c.authorizer);
  ASSERT_TRUE(r->headers);
  EXPECT_EQ(r->headers->size(), 6u);
  EXPECT_EQ(r->headers->at("X-Forwarded-Proto"), "https");
  ASSERT_TRUE(r->multi_value_headers);
  EXPECT_EQ(r->multi_value_headers->at("Host"),
            std::vector<std::string>{"abc123.execute-api.eu-west-1.amazonaws.com"});
  ASSERT_TRUE(r->query_string_parameters);
  EXPECT_EQ(*r->query_string_parameters, (apigw::HeaderMap{{"room", "lobby"}}));
  ASSERT_TRUE(r->multi_value_query_string_parameters);
  EXPECT_EQ(r->multi_value_query_string_parameters->at("room"), std::vector<std::string>{"lobby"});
  EXPECT_FALSE(r->body);
  EXPECT_FALSE(r->is_base64_encoded);
}

TEST(DecodeEvent, ReadsACapturedMessageEvent) {
  const char* text = R"({"requestContext":{"routeKey":"sendmessage","messageId":"Xq1aCdEfGhIjKlA=","eventType":"MESSAGE","extendedRequestId":"Xq1aDeFgHiJkLmA=","requestTime":"01/Feb/2025:10:00:05 +0000",
  "messageDirection":"IN","stage":"prod","connectedAt":1738404000000,"requestTimeEpoch":1738404005120,
  "identity":{"sourceIp":"203.0.113.9","userAgent":"wscat"},"requestId":"Xq1aDeFgHiJkLmA=","domainName":"abc123.execute-api.eu-west-1.amazonaws.com",
  "connectionId":"Xq1aAbCdEfGhIjA=","apiId":"abc123"},
 "body":"{\"action\":\"sendmessage\",\"data\":\"hi\"}","isBase64Encoded":false})";
  auto r = apigw::decode_event(text);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->request_context.event_type, EventType::message);
  EXPECT_EQ(r->request_context.route_key, "sendmessage");
  EXPECT_EQ(r->request_context.message_id, "Xq1aCdEfGhIjKlA=");
  EXPECT_EQ(r->request_context.identity.user_agent, "wscat");
  EXPECT_EQ(r->body, R"({"action":"sendmessage","data":"hi"})");
  EXPECT_FALSE(r->headers);
  EXPECT_FALSE(r->query_string_parameters);
}

TEST(DecodeEvent, ReadsACapturedDisconnectEvent) {
  const char* text = R"({"headers":{"Host":"abc123.execute-api.eu-west-1.amazonaws.com","x-api-key":"","X-Forwarded-For":"","x-restapi":""},
 "multiValueHeaders":{"Host":["abc123.execute-api.eu-west-1.amazonaws.com"],"x-api-key":[""],"X-Forwarded-For":[""],"x-restapi":[""]},
 "requestContext":{"routeKey":"$disconnect","disconnectStatusCode":1005,"eventType":"DISCONNECT","extendedRequestId":"Xq1aEfGhIjKlMnA=","requestTime":"01/Feb/2025:10:05:00 +0000",
  "messageDirection":"IN","disconnectReason":"Client-side close frame status not set","stage":"prod","connectedAt":1738404000000,"requestTimeEpoch":1738404300000,
  "identity":{"sourceIp":"203.0.113.9"},"requestId":"Xq1aEfGhIjKlMnA=","domainName":"abc123.execute-api.eu-west-1.amazonaws.com",
  "connectionId":"Xq1aAbCdEfGhIjA=","apiId":"abc123"},
 "isBase64Encoded":false})";
  auto r = apigw::decode_event(text);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->request_context.event_type, EventType::disconnect);
  EXPECT_EQ(r->request_context.disconnect_status_code, 1005);
  EXPECT_EQ(r->request_context.disconnect_reason, "Client-side close frame status not set");
  ASSERT_TRUE(r->headers);
  EXPECT_EQ(r->headers->at("x-api-key"), "");
  EXPECT_EQ(r->multi_value_headers->at("x-restapi"), std::vector<std::string>{""});
}

// 2019-2020 captures: messageId null on CONNECT, null identity fields, stageVariables etc.
TEST(DecodeEvent, ToleratesNullsAndUnknownFieldsOfOlderCaptures) {
  const char* text = R"({"requestContext":{"routeKey":"$connect","messageId":null,"eventType":"CONNECT","extendedRequestId":"Xq1aBcDeFgHiJkA=","requestTime":"01/Feb/2025:10:00:00 +0000",
  "messageDirection":"IN","stage":"prod","connectedAt":1738404000000,"requestTimeEpoch":1738404000012,
  "identity":{"cognitoIdentityPoolId":null,"accountId":null,"cognitoIdentityId":null,"caller":null,"sourceIp":"203.0.113.9","principalOrgId":null,"accessKey":null,"cognitoAuthenticationType":null,"cognitoAuthenticationProvider":null,"userArn":null,"userAgent":null,"user":null},
  "requestId":"Xq1aBcDeFgHiJkA=","domainName":"abc123.execute-api.eu-west-1.amazonaws.com","error":null,"status":null,"integrationLatency":null,
  "connectionId":"Xq1aAbCdEfGhIjA=","apiId":"abc123"},
 "stageVariables":null,"queryStringParameters":null,"isBase64Encoded":false})";
  auto r = apigw::decode_event(text);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_FALSE(r->request_context.message_id);
  EXPECT_FALSE(r->request_context.identity.user_agent);
  EXPECT_EQ(r->request_context.identity.source_ip, "203.0.113.9");
  EXPECT_FALSE(r->query_string_parameters);
}

TEST(DecodeEvent, ReadsTheAuthorizerObject) {
  auto text = apigw::encode(connect_event());
  auto v = json::parse(text);
  v.as_object()["requestContext"].as_object()["authorizer"] =
      json::object{{"principalId", "u1"}, {"integrationLatency", 40}, {"role", "admin"}};
  auto r = apigw::decode_event(json::serialize(v));
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->request_context.authorizer);
  EXPECT_EQ(r->request_context.authorizer->at("role"), "admin");
}

// ---- malformed input: invalid_argument, never an exception ----

TEST(DecodeEvent, RejectsTextThatIsNotAJsonObject) {
  for (const char* text : {"", " ", "not json", "{", "}", "{\"requestContext\":", "[]", "42", "null",
                           "\"string\"", "true", "{\"a\":1} trailing", "{'single':'quotes'}"}) {
    expect_invalid(text);
  }
}

TEST(DecodeEvent, RejectsInvalidUtf8) {
  auto text = apigw::encode(message_event());
  const auto at = text.find("hi ");
  ASSERT_NE(at, std::string::npos);
  text[at] = '\xC3';  // a lead byte followed by 'i': not UTF-8
  expect_invalid(text);
}

TEST(DecodeEvent, RejectsMissingOrMistypedRequestContext) {
  expect_invalid("{}");
  expect_invalid(R"({"body":"x","isBase64Encoded":false})");
  expect_invalid(R"({"requestContext":null})");
  expect_invalid(R"({"requestContext":"ctx"})");
  expect_invalid(R"({"requestContext":[]})");
  expect_invalid(R"({"requestContext":42})");
  expect_invalid(R"({"requestContext":{}})");
}

// Replaces (or with a null `value`, removes) one member of a valid MESSAGE event.
std::string with_context_member(const std::string& key, const json::value* value) {
  auto v = apigw::to_json(message_event());
  auto& c = v.as_object()["requestContext"].as_object();
  if (value) c[key] = *value;
  else c.erase(key);
  return json::serialize(v);
}

std::string with_member(const std::string& key, const json::value& value) {
  auto v = apigw::to_json(connect_event());
  v.as_object()[key] = value;
  return json::serialize(v);
}

TEST(DecodeEvent, RejectsMissingRequiredContextFields) {
  for (const char* key : {"routeKey", "eventType", "connectionId"}) {
    SCOPED_TRACE(key);
    expect_invalid(with_context_member(key, nullptr));
    const json::value null_value = nullptr;
    expect_invalid(with_context_member(key, &null_value));
  }
}

TEST(DecodeEvent, RejectsWrongTypesInRequestContext) {
  const std::vector<std::pair<std::string, json::value>> cases{
      {"routeKey", 42},
      {"routeKey", json::array{"$default"}},
      {"eventType", "BOGUS"},
      {"eventType", "message"},  // the values are upper case
      {"eventType", 1},
      {"connectionId", 12345},
      {"connectionId", json::object{}},
      {"requestId", 7},
      {"messageId", 99},
      {"requestTime", 1738404000},
      {"stage", false},
      {"domainName", json::array{}},
      {"apiId", 1.5},
      {"connectedAt", "1738404000000"},
      {"connectedAt", 1.5},
      {"connectedAt", json::object{}},
      {"requestTimeEpoch", "soon"},
      {"requestTimeEpoch", true},
      {"disconnectStatusCode", "1000"},
      {"disconnectReason", 1000},
  };
  for (const auto& [key, value] : cases) {
    SCOPED_TRACE(key + " = " + json::serialize(value));
    expect_invalid(with_context_member(key, &value));
  }
}

TEST(DecodeEvent, RejectsWrongTypesAtTopLevel) {
  const std::vector<std::pair<std::string, json::value>> cases{
      {"headers", json::array{"Host"}},
      {"headers", "Host: x"},
      {"multiValueHeaders", 1},
      {"queryStringParameters", "room=lobby"},
      {"queryStringParameters", json::array{}},
      {"multiValueQueryStringParameters", true},
      {"body", 42},
      {"body", json::object{{"action", "sendmessage"}}},
  };
  for (const auto& [key, value] : cases) {
    SCOPED_TRACE(key + " = " + json::serialize(value));
    expect_invalid(with_member(key, value));
  }
}

TEST(DecodeEvent, RejectsAMistypedSourceIp) {
  auto v = apigw::to_json(message_event());
  v.as_object()["requestContext"].as_object()["identity"] = json::object{{"sourceIp", 203}};
  expect_invalid(json::serialize(v));
}

TEST(DecodeEvent, SurvivesHostileNesting) {
  expect_invalid(std::string(100'000, '['));
  expect_invalid(std::string(100'000, '[') + std::string(100'000, ']'));
  std::string nested_in_context = R"({"requestContext":{"routeKey":"$default","eventType":"MESSAGE","connectionId":"a=","authorizer":)";
  for (int i = 0; i < 50'000; ++i) nested_in_context += R"({"a":)";
  expect_invalid(nested_in_context);
}

TEST(DecodeEvent, SurvivesRandomTruncations) {
  const auto text = apigw::encode(connect_event());
  for (std::size_t n = 0; n < text.size(); n += 7) {
    EXPECT_NO_THROW((void)apigw::decode_event(std::string_view(text).substr(0, n))) << n;
    EXPECT_FALSE(apigw::decode_event(std::string_view(text).substr(0, n))) << n;
  }
}

// ---- responses ----

TEST(EncodeResponse, HasNumericStatusCodeAndOptionalMembers) {
  apigw::Response r;
  auto o = json::parse(apigw::encode(r)).as_object();
  EXPECT_EQ(keys(o), std::set<std::string>{"statusCode"});
  ASSERT_TRUE(o.at("statusCode").is_number());
  EXPECT_EQ(o.at("statusCode").to_number<int>(), 200);

  r.status_code = 400;
  r.body = "invalid name";
  r.headers = {{"Sec-WebSocket-Protocol", "chat"}};
  o = json::parse(apigw::encode(r)).as_object();
  EXPECT_EQ(o.at("statusCode").to_number<int>(), 400);
  EXPECT_EQ(o.at("body"), "invalid name");
  EXPECT_EQ(o.at("headers").at("Sec-WebSocket-Protocol"), "chat");
}

TEST(DecodeResponse, ReadsAHandlerResult) {
  auto r = apigw::decode_response(
      R"({"statusCode":200,"headers":{"Sec-WebSocket-Protocol":"chat"},"body":"ok","isBase64Encoded":false})");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status_code, 200);
  EXPECT_EQ(r->headers, (apigw::HeaderMap{{"Sec-WebSocket-Protocol", "chat"}}));
  EXPECT_EQ(r->body, "ok");
}

TEST(DecodeResponse, StatusCodeAloneIsEnough) {
  auto r = apigw::decode_response(R"({"statusCode":403})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code, 403);
  EXPECT_TRUE(r->headers.empty());
  EXPECT_FALSE(r->body);
}

TEST(DecodeResponse, RoundTrips) {
  apigw::Response r;
  r.status_code = 502;
  r.headers = {{"a", "1"}, {"b", ""}};
  r.body = "{\"x\":\"\\n\"}";
  auto back = apigw::decode_response(apigw::encode(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->status_code, r.status_code);
  EXPECT_EQ(back->headers, r.headers);
  EXPECT_EQ(back->body, r.body);
}

TEST(DecodeResponse, RequiresANumericStatusCode) {
  for (const char* text : {R"({})", R"({"body":"ok"})", R"({"statusCode":"200"})", R"({"statusCode":null})",
                           R"({"statusCode":true})", R"({"statusCode":[200]})", R"({"statusCode":200.5})",
                           "", "not json", "[]", "200", "null", R"("{\"statusCode\":200}")"}) {
    core::result<apigw::Response> r = core::errc::internal;
    EXPECT_NO_THROW(r = apigw::decode_response(text)) << text;
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error(), core::errc::invalid_argument) << text;
  }
}

TEST(DecodeResponse, RejectsMistypedBodyOrHeaders) {
  for (const char* text : {R"({"statusCode":200,"body":42})", R"({"statusCode":200,"body":{}})",
                           R"({"statusCode":200,"headers":[]})", R"({"statusCode":200,"headers":"x"})"}) {
    auto r = apigw::decode_response(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error(), core::errc::invalid_argument) << text;
  }
}

TEST(DecodeResponse, SurvivesHostileNesting) {
  core::result<apigw::Response> r = core::errc::internal;
  EXPECT_NO_THROW(r = apigw::decode_response(std::string(100'000, '{')));
  EXPECT_FALSE(r);
}

}  // namespace
