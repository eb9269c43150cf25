#include "aws/dynamodb/error.hpp"

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>

#include "aws/dynamodb/retry_policy.hpp"

namespace {
using namespace aws::dynamodb;
using namespace std::chrono_literals;

TEST(DynamoError, MapsTypeNamesAsBotocoreParsesThem) {
  auto e = error_from_response(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"})");
  EXPECT_TRUE(e.is(errc::conditional_check_failed));
  EXPECT_EQ(e.type, "ConditionalCheckFailedException");
  EXPECT_EQ(e.message, "The conditional request failed");
  EXPECT_FALSE(e.retryable);
  EXPECT_EQ(e.what(), "ConditionalCheckFailedException: The conditional request failed");

  auto v = error_from_response(400, R"({"__type":"com.amazon.coral.validate#ValidationException","Message":"bad"})");
  EXPECT_TRUE(v.is(errc::validation));
  EXPECT_EQ(v.message, "bad");
  EXPECT_FALSE(v.retryable);

  auto t = error_from_response(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"})");
  EXPECT_TRUE(t.is(errc::throttling));
  EXPECT_TRUE(t.retryable);
  EXPECT_TRUE(t.throttle);
  EXPECT_TRUE(error_from_response(400, R"({"__type":"ThrottlingException:http://internal.amazon.com/x"})").is(errc::throttling));
  EXPECT_TRUE(error_from_response(400, R"({"__type":"com.amazon.coral.service#UnknownOperationException"})").is(errc::unknown_operation));
  EXPECT_TRUE(error_from_response(400, R"({"__type":"x#ResourceNotFoundException"})").is(errc::resource_not_found));
  EXPECT_TRUE(error_from_response(400, R"({"__type":"x#ResourceInUseException"})").is(errc::resource_in_use));
  EXPECT_TRUE(error_from_response(400, R"({"__type":"x#AccessDeniedException"})").is(errc::access_denied));
  EXPECT_TRUE(error_from_response(403, R"({"__type":"x#InvalidSignatureException"})").is(errc::access_denied));
  EXPECT_TRUE(error_from_response(400, R"({"__type":"x#UnrecognizedClientException"})").retryable);
  EXPECT_TRUE(error_from_response(400, R"({"__type":"x#TransactionInProgressException"})").retryable);
  EXPECT_FALSE(error_from_response(400, R"({"__type":"x#TransactionConflictException"})").retryable);
  EXPECT_TRUE(error_from_response(409, R"({"__type":"x#ReplicatedWriteConflictException"})").retryable);
}

TEST(DynamoError, ServerErrorsAndUnknownBodies) {
  auto i = error_from_response(500, R"({"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"oops"})");
  EXPECT_TRUE(i.is(errc::internal_server));
  EXPECT_TRUE(i.retryable);
  auto s = error_from_response(503, "<html>Service Unavailable</html>");
  EXPECT_TRUE(s.is(errc::service_unavailable));
  EXPECT_TRUE(s.retryable);
  EXPECT_TRUE(error_from_response(502, "").is(errc::service_unavailable));
  auto u = error_from_response(400, R"({"__type":"x#SomethingNewException"})");
  EXPECT_TRUE(u.is(errc::unknown));
  EXPECT_FALSE(u.retryable);
}

TEST(DynamoError, TransactionCanceledKeepsReasons) {
  auto e = error_from_response(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
    "Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]",
    "CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}]})");
  EXPECT_TRUE(e.is(errc::transaction_canceled));
  ASSERT_EQ(e.cancellation_reasons.size(), 2u);
  EXPECT_EQ(e.cancellation_reasons[0].code, "None");
  EXPECT_EQ(e.cancellation_reasons[1].code, "ConditionalCheckFailed");
  EXPECT_EQ(e.cancellation_reasons[1].message, "The conditional request failed");
}

TEST(DynamoError, CategoryAndCoreMapping) {
  boost::system::error_code ec = errc::throttling;
  EXPECT_STREQ(ec.category().name(), "dynamodb");
  EXPECT_EQ(ec.message(), "throttled");
  EXPECT_EQ(to_core(errc::conditional_check_failed), core::errc::conflict);
  EXPECT_EQ(to_core(errc::resource_not_found), core::errc::not_found);
  EXPECT_EQ(to_core(errc::throttling), core::errc::limit_exceeded);
  EXPECT_EQ(to_core(errc::network), core::errc::store_unavailable);
  EXPECT_EQ(to_core(errc::validation), core::errc::invalid_argument);
  auto n = network_error(boost::asio::error::connection_refused);
  EXPECT_TRUE(n.is(errc::network));
  EXPECT_TRUE(n.retryable);
  EXPECT_NE(n.what().find("refused"), std::string::npos);
}

RetryOptions fixed(double r) {
  RetryOptions o;
  o.random = [r] { return r; };
  return o;
}

TEST(RetryPolicy, StandardModeDecisions) {
  RetryPolicy p(fixed(0.5));
  int cost = 0;
  auto throttled = error_from_response(400, R"({"__type":"x#ThrottlingException"})");
  auto failed = error_from_response(400, R"({"__type":"x#ConditionalCheckFailedException"})");
  EXPECT_TRUE(p.should_retry(throttled, 1, cost));
  EXPECT_EQ(cost, 5);
  EXPECT_TRUE(p.should_retry(throttled, 2, cost));
  EXPECT_FALSE(p.should_retry(throttled, 3, cost));  // 3 attempts in all
  EXPECT_FALSE(p.should_retry(failed, 1, cost));
  EXPECT_EQ(p.quota(), 490);
  p.on_success(5);
  EXPECT_EQ(p.quota(), 495);
  auto timeout = network_error(boost::beast::error::timeout);
  EXPECT_TRUE(p.should_retry(timeout, 1, cost));
  EXPECT_EQ(cost, 10);
}

TEST(RetryPolicy, FullJitterBackoff) {
  RetryPolicy p(fixed(0.5));
  auto throttled = error_from_response(400, R"({"__type":"x#ThrottlingException"})");
  auto server = error_from_response(500, R"({"__type":"x#InternalServerError"})");
  EXPECT_EQ(p.delay(throttled, 1), 500ms);   // 0.5 * 1 s
  EXPECT_EQ(p.delay(throttled, 2), 1000ms);  // 0.5 * 2 s
  EXPECT_EQ(p.delay(throttled, 10), 10000ms);  // capped at 20 s
  EXPECT_EQ(p.delay(server, 1), 12ms);       // 0.5 * 25 ms
  EXPECT_EQ(p.delay(server, 3), 50ms);
  RetryPolicy zero(fixed(0.0));
  EXPECT_EQ(zero.delay(throttled, 5), 0ms);
  RetryPolicy real{RetryOptions{}};
  for (int i = 0; i < 100; ++i) {
    auto d = real.delay(throttled, 2);
    EXPECT_GE(d, 0ms);
    EXPECT_LT(d, 2000ms);
  }
}

TEST(RetryPolicy, QuotaRunsOut) {
  RetryOptions o = fixed(0);
  o.max_attempts = 100;
  o.quota_capacity = 12;
  RetryPolicy p(o);
  auto server = error_from_response(500, "");
  int cost = 0;
  EXPECT_TRUE(p.should_retry(server, 1, cost));
  EXPECT_TRUE(p.should_retry(server, 2, cost));
  EXPECT_FALSE(p.should_retry(server, 3, cost));  // 2 left, a retry costs 5
}

}  // namespace
