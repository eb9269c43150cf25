#include "aws/dynamodb/client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "aws/dynamodb/sync_client.hpp"
#include "fake_http_server.hpp"

// The client against a scripted server: envelope, signing, retries, error typing.
namespace {
using namespace aws;
using namespace aws::dynamodb;
namespace json = boost::json;

ClientConfig config_for(const test::FakeHttpServer& s, int attempts = 3) {
  auto c = ClientConfig::local(s.url(), "eu-west-1").value();
  c.credentials = {"AKIDTEST", "secret", "session-token"};
  c.retry.max_attempts = attempts;
  c.retry.random = [] { return 0.0; };  // no waiting in tests
  return c;
}

test::FakeReply error_reply(int status, std::string type) {
  test::FakeReply r;
  r.status = status;
  r.body = R"({"__type":"com.amazonaws.dynamodb.v20120810#)" + type + R"(","message":"m"})";
  return r;
}

TEST(DynamoClient, SendsTheJsonProtocolEnvelope) {
  http::Request seen;
  test::FakeHttpServer server([&](const http::Request& r) {
    seen = r;
    test::FakeReply reply;
    reply.headers.push_back({"x-amz-crc32", "2745614147"});  // CRC32 of "{}"
    reply.body = "{}";
    return reply;
  });
  SyncClient client(config_for(server));
  auto res = client.put_item({{"TableName", "t"}, {"Item", {{"pk", {{"S", "a"}}}}}});
  ASSERT_TRUE(res) << res.error().what();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/");
  EXPECT_EQ(json::parse(seen.body), json::parse(R"({"TableName":"t","Item":{"pk":{"S":"a"}}})"));
  http::Response h{0, seen.headers, ""};
  EXPECT_EQ(h.header("X-Amz-Target"), "DynamoDB_20120810.PutItem");
  EXPECT_EQ(h.header("Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(h.header("X-Amz-Security-Token"), "session-token");
  const auto auth = std::string(h.header("Authorization"));
  EXPECT_EQ(auth.rfind("AWS4-HMAC-SHA256 Credential=AKIDTEST/", 0), 0u);
  EXPECT_NE(auth.find("/eu-west-1/dynamodb/aws4_request"), std::string::npos);
  EXPECT_NE(auth.find("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target"), std::string::npos);
}

TEST(DynamoClient, RetriesThrottlingThenSucceeds) {
  std::atomic<int> calls{0};
  test::FakeHttpServer server([&](const http::Request&) {
    if (++calls < 3) return error_reply(400, "ProvisionedThroughputExceededException");
    test::FakeReply ok;
    ok.body = R"({"Item":{"pk":{"S":"a"},"n":{"N":"7"}}})";
    return ok;
  });
  SyncClient client(config_for(server));
  auto res = client.get_item({{"TableName", "t"}, {"Key", {{"pk", {{"S", "a"}}}}}});
  ASSERT_TRUE(res) << res.error().what();
  ASSERT_TRUE(res->has_value());
  EXPECT_EQ((**res).at("n").to_int64(), 7);
  EXPECT_EQ(calls, 3);
}

TEST(DynamoClient, GivesUpAfterMaxAttempts) {
  std::atomic<int> calls{0};
  test::FakeHttpServer server([&](const http::Request&) {
    ++calls;
    return error_reply(500, "InternalServerError");
  });
  SyncClient client(config_for(server, 4));
  auto res = client.call("DescribeTable", {{"TableName", "t"}});
  ASSERT_FALSE(res);
  EXPECT_TRUE(res.error().is(errc::internal_server));
  EXPECT_EQ(res.error().attempts, 4);
  EXPECT_EQ(calls, 4);
}

TEST(DynamoClient, DoesNotRetryConditionalFailureOrValidation) {
  std::atomic<int> calls{0};
  std::string next = "ConditionalCheckFailedException";
  test::FakeHttpServer server([&](const http::Request&) {
    ++calls;
    return error_reply(400, next);
  });
  SyncClient client(config_for(server));
  auto res = client.put_item({{"TableName", "t"}});
  ASSERT_FALSE(res);
  EXPECT_TRUE(res.error().is(errc::conditional_check_failed));
  EXPECT_EQ(calls, 1);
  next = "ValidationException";
  res = client.put_item({{"TableName", "t"}});
  EXPECT_TRUE(res.error().is(errc::validation));
  EXPECT_EQ(calls, 2);
  EXPECT_THROW(res.value(), std::runtime_error);
}

TEST(DynamoClient, RetriesACorruptedResponse) {
  std::atomic<int> calls{0};
  test::FakeHttpServer server([&](const http::Request&) {
    test::FakeReply r;
    r.body = "{}";
    r.headers.push_back({"x-amz-crc32", ++calls == 1 ? "12345" : "2745614147"});
    return r;
  });
  SyncClient client(config_for(server));
  EXPECT_TRUE(client.put_item({{"TableName", "t"}}));
  EXPECT_EQ(calls, 2);
}

TEST(DynamoClient, TransactionCanceledCarriesReasons) {
  test::FakeHttpServer server([&](const http::Request&) {
    test::FakeReply r;
    r.status = 400;
    r.body = R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"Transaction cancelled",
                 "CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}]})";
    return r;
  });
  SyncClient client(config_for(server));
  auto res = client.transact_write_items({{"TransactItems", json::array{}}});
  ASSERT_FALSE(res);
  EXPECT_TRUE(res.error().is(errc::transaction_canceled));
  ASSERT_EQ(res.error().cancellation_reasons.size(), 2u);
  EXPECT_EQ(res.error().cancellation_reasons[1].code, "ConditionalCheckFailed");
}

TEST(DynamoClient, BatchWriteResendsUnprocessedItems) {
  std::vector<std::string> bodies;
  std::mutex mu;
  test::FakeHttpServer server([&](const http::Request& r) {
    std::lock_guard lock(mu);
    bodies.push_back(r.body);
    test::FakeReply reply;
    if (bodies.size() == 1) {
      reply.body = R"({"UnprocessedItems":{"t":[{"PutRequest":{"Item":{"pk":{"S":"b"}}}}]}})";
    } else {
      reply.body = R"({"UnprocessedItems":{}})";
    }
    return reply;
  });
  SyncClient client(config_for(server));
  auto res = client.batch_write(json::parse(R"({"RequestItems":{"t":[
      {"PutRequest":{"Item":{"pk":{"S":"a"}}}},{"PutRequest":{"Item":{"pk":{"S":"b"}}}}]}})").as_object());
  ASSERT_TRUE(res) << res.error().what();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(json::parse(bodies[1]), json::parse(R"({"RequestItems":{"t":[{"PutRequest":{"Item":{"pk":{"S":"b"}}}}]}})"));
}

TEST(DynamoClient, BatchWriteGivesUpWithTheRemainder) {
  test::FakeHttpServer server([&](const http::Request&) {
    test::FakeReply reply;
    reply.body = R"({"UnprocessedItems":{"t":[{"DeleteRequest":{"Key":{"pk":{"S":"x"}}}}]}})";
    return reply;
  });
  SyncClient client(config_for(server));
  client.async_client().max_unprocessed_rounds = 3;
  auto res = client.batch_write(json::parse(R"({"RequestItems":{"t":[{"DeleteRequest":{"Key":{"pk":{"S":"x"}}}}]}})").as_object());
  ASSERT_FALSE(res);
  EXPECT_TRUE(res.error().is(errc::unprocessed_items));
  EXPECT_TRUE(res.error().details.contains("t"));
}

TEST(DynamoClient, NetworkErrorsAreTypedAndRetried) {
  std::uint16_t port;
  { test::FakeHttpServer s([](const http::Request&) { return test::FakeReply{}; }); port = s.port(); }
  auto config = ClientConfig::local("http://127.0.0.1:" + std::to_string(port)).value();
  config.retry.random = [] { return 0.0; };
  SyncClient client(config);
  auto res = client.describe_table("t");
  ASSERT_FALSE(res);
  EXPECT_TRUE(res.error().is(errc::network));
  EXPECT_EQ(res.error().cause, boost::asio::error::connection_refused);
  EXPECT_EQ(res.error().attempts, 3);
}

TEST(DynamoClientConfig, FromEnvironment) {
  ::unsetenv("AWS_ENDPOINT_URL_DYNAMODB");
  ::unsetenv("AWS_ENDPOINT_URL");
  ::setenv("AWS_REGION", "ap-southeast-2", 1);
  ::setenv("AWS_ACCESS_KEY_ID", "AKID", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "S", 1);
  auto aws = ClientConfig::from_env().value();
  EXPECT_EQ(aws.region, "ap-southeast-2");
  EXPECT_EQ(aws.endpoint.host, "dynamodb.ap-southeast-2.amazonaws.com");
  EXPECT_TRUE(aws.endpoint.tls);
  EXPECT_EQ(aws.credentials.access_key_id, "AKID");
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  EXPECT_FALSE(ClientConfig::from_env());  // AWS itself needs real credentials
  auto local = ClientConfig::from_env("http://127.0.0.1:8000").value();
  EXPECT_EQ(local.endpoint.port, 8000);
  EXPECT_FALSE(local.endpoint.tls);
  EXPECT_FALSE(local.credentials.access_key_id.empty());
  ::setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://localhost:4567", 1);
  EXPECT_EQ(ClientConfig::from_env().value().endpoint.port, 4567);
  ::unsetenv("AWS_ENDPOINT_URL_DYNAMODB");
  ::unsetenv("AWS_REGION");
  EXPECT_FALSE(ClientConfig::from_env("not a url"));
}

}  // namespace
