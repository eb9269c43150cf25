#include "lambda/runtime_client.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>

#include "runtime_api_server.hpp"

namespace lambda {
namespace {
using namespace std::chrono_literals;
using test::RuntimeApiServer;

RuntimeClient client_for(const RuntimeApiServer& server) {
  auto c = RuntimeClient::connect(server.address());
  if (!c) throw std::runtime_error("connect: " + c.error().message());
  return std::move(*c);
}

TEST(RuntimeClient, FromEnvNeedsAwsLambdaRuntimeApi) {
  ::unsetenv("AWS_LAMBDA_RUNTIME_API");
  EXPECT_FALSE(RuntimeClient::from_env());
  RuntimeApiServer server;
  ::setenv("AWS_LAMBDA_RUNTIME_API", server.address().c_str(), 1);
  auto c = RuntimeClient::from_env();
  ASSERT_TRUE(c);
  const auto id = server.invoke(test::event("x"));
  auto inv = c->next();
  ASSERT_TRUE(inv);
  EXPECT_EQ(inv->request_id, id);
  ::unsetenv("AWS_LAMBDA_RUNTIME_API");
}

TEST(RuntimeClient, RejectsAnAddressWithoutPort) {
  EXPECT_FALSE(RuntimeClient::connect("127.0.0.1"));
}

TEST(RuntimeClient, ASecondResponseForOneIdIs403AndAnUnknownIdIs400) {
  RuntimeApiServer server;
  const auto id = server.invoke(test::event("{}"));
  auto client = client_for(server);
  auto inv = client.next();
  ASSERT_TRUE(inv);
  EXPECT_EQ(client.post(id, InvocationResponse::success("1")), PostStatus::accepted);
  EXPECT_EQ(client.post(id, InvocationResponse::success("2")), PostStatus::invalid_state);
  EXPECT_EQ(client.post(id, InvocationResponse::failure("e", "T")), PostStatus::invalid_state);
  EXPECT_EQ(client.post("no-such-id", InvocationResponse::success("3")), PostStatus::invalid_id);
  EXPECT_EQ(server.wait_answer(id, 1s)->body, "1");
}

TEST(RuntimeClient, InitErrorCarriesTheBodyAndTheErrorTypeHeader) {
  RuntimeApiServer server;
  auto client = client_for(server);
  EXPECT_EQ(client.post_init_error("no handler named 'nope'", "Runtime.NoSuchHandler"),
            PostStatus::accepted);
  auto e = server.wait_init_error(1s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->error_type_header, "Runtime.NoSuchHandler");
  auto body = boost::json::parse(e->body).as_object();
  EXPECT_EQ(body.at("errorType"), "Runtime.NoSuchHandler");
  EXPECT_EQ(body.at("errorMessage"), "no handler named 'nope'");
  EXPECT_EQ(body.at("stackTrace"), boost::json::array());
  EXPECT_EQ(server.requests().back().target, "/2018-06-01/runtime/init/error");
}

TEST(RuntimeClient, OneKeepAliveConnectionServesEveryRequest) {
  RuntimeApiServer server;
  auto client = client_for(server);
  for (int i = 0; i < 5; ++i) {
    const auto id = server.invoke(test::event(std::to_string(i)));
    auto inv = client.next();
    ASSERT_TRUE(inv);
    EXPECT_EQ(inv->payload, std::to_string(i));
    EXPECT_EQ(client.post(id, InvocationResponse::success("ok")), PostStatus::accepted);
  }
  EXPECT_EQ(server.requests().size(), 10u);
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST(RuntimeClient, NextWaitsWithoutATimeout) {
  RuntimeApiServer server;
  auto client = client_for(server);
  std::thread late([&] {
    ASSERT_TRUE(server.wait_idle(2s));
    std::this_thread::sleep_for(300ms);
    server.invoke(test::event("late"));
  });
  auto inv = client.next();
  late.join();
  ASSERT_TRUE(inv);
  EXPECT_EQ(inv->payload, "late");
}

TEST(RuntimeClient, ANon200NextIsAnError) {
  RuntimeApiServer server;
  server.fail_next_request(500);
  auto client = client_for(server);
  EXPECT_FALSE(client.next());
  server.fail_next_request(500);
  EXPECT_EQ(client.post("x", InvocationResponse::success("")), PostStatus::fatal);
}

}  // namespace
}  // namespace lambda
