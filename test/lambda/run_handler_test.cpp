#include "lambda/run_handler.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "runtime_api_server.hpp"

namespace lambda {
namespace {
using namespace std::chrono_literals;
using test::Event;
using test::RuntimeApiServer;

struct custom_failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

RuntimeClient client_for(const RuntimeApiServer& server) {
  auto c = RuntimeClient::connect(server.address());
  if (!c) throw std::runtime_error("connect: " + c.error().message());
  return std::move(*c);
}

boost::json::object parse(const std::string& s) { return boost::json::parse(s).as_object(); }

TEST(RunHandler, PostsTheHandlersResponseWithTheInvocationHeaders) {
  RuntimeApiServer server;
  const auto deadline = test::deadline_in(10s);
  const auto id = server.invoke(test::event(R"({"hello":1})", deadline, "Root=1-5e1b4151-5ac6c58f;Parent=1;Sampled=1"));
  auto client = client_for(server);
  Invocation seen;
  std::string trace_env;
  const auto stopped = run_handler(client, [&](const Invocation& inv) {
    seen = inv;
    if (const char* t = std::getenv("_X_AMZN_TRACE_ID")) trace_env = t;
    return InvocationResponse::success(R"({"statusCode":200})");
  }, {.max_invocations = 1});

  EXPECT_EQ(stopped, Stopped::max_invocations);
  EXPECT_EQ(seen.request_id, id);
  EXPECT_EQ(seen.payload, R"({"hello":1})");
  EXPECT_EQ(seen.deadline_ms, deadline);
  EXPECT_EQ(seen.function_arn, "arn:aws:lambda:us-east-1:123456789012:function:parley-test");
  EXPECT_EQ(seen.trace_id, "Root=1-5e1b4151-5ac6c58f;Parent=1;Sampled=1");
  EXPECT_EQ(trace_env, seen.trace_id);
  auto answer = server.wait_answer(id, 2s);
  ASSERT_TRUE(answer);
  EXPECT_FALSE(answer->is_error);
  EXPECT_EQ(answer->body, R"({"statusCode":200})");
  EXPECT_EQ(answer->content_type, "application/json");

  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].method, "GET");
  EXPECT_EQ(reqs[0].target, "/2018-06-01/runtime/invocation/next");
  EXPECT_EQ(reqs[1].method, "POST");
  EXPECT_EQ(reqs[1].target, "/2018-06-01/runtime/invocation/" + id + "/response");
  EXPECT_EQ(reqs[1].status, 202);
  EXPECT_EQ(reqs[1].headers.count("lambda-runtime-function-error-type"), 0u);
}

TEST(RunHandler, TraceIdIsUnsetForAnEventWithoutOne) {
  RuntimeApiServer server;
  ::setenv("_X_AMZN_TRACE_ID", "stale", 1);
  server.invoke(test::event("{}"));
  auto client = client_for(server);
  bool had_trace = true;
  run_handler(client, [&](const Invocation& inv) {
    had_trace = std::getenv("_X_AMZN_TRACE_ID") != nullptr;
    EXPECT_EQ(inv.remaining(), std::chrono::milliseconds::max());
    return InvocationResponse::success("{}");
  }, {.max_invocations = 1});
  EXPECT_FALSE(had_trace);
}

TEST(RunHandler, AFailureGoesToTheErrorPathWithTheErrorTypeHeader) {
  RuntimeApiServer server;
  const auto id = server.invoke(test::event("{}"));
  auto client = client_for(server);
  run_handler(client, [](const Invocation&) {
    return InvocationResponse::failure("no such room", "Parley.NotFound");
  }, {.max_invocations = 1});
  auto answer = server.wait_answer(id, 2s);
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->is_error);
  EXPECT_EQ(answer->error_type_header, "Parley.NotFound");
  auto body = parse(answer->body);
  EXPECT_EQ(body.at("errorMessage"), "no such room");
  EXPECT_EQ(body.at("errorType"), "Parley.NotFound");
  EXPECT_TRUE(body.at("stackTrace").is_array());
  EXPECT_EQ(server.requests().back().target, "/2018-06-01/runtime/invocation/" + id + "/error");
}

TEST(RunHandler, ExceptionsAreReportedWithTheirTypeAndTheLoopGoesOn) {
  RuntimeApiServer server;
  const auto a = server.invoke(test::event("1"));
  const auto b = server.invoke(test::event("2"));
  const auto c = server.invoke(test::event("3"));
  const auto d = server.invoke(test::event("4"));
  auto client = client_for(server);
  const auto stopped = run_handler(client, [](const Invocation& inv) -> InvocationResponse {
    if (inv.payload == "1") throw std::runtime_error("boom");
    if (inv.payload == "2") throw custom_failure("custom");
    if (inv.payload == "3") throw 42;
    return InvocationResponse::success("ok");
  }, {.max_invocations = 4});
  EXPECT_EQ(stopped, Stopped::max_invocations);

  auto ra = server.wait_answer(a, 2s);
  ASSERT_TRUE(ra && ra->is_error);
  EXPECT_EQ(parse(ra->body).at("errorType"), "std::runtime_error");
  EXPECT_EQ(parse(ra->body).at("errorMessage"), "boom");
  EXPECT_EQ(ra->error_type_header, "std::runtime_error");
  auto rb = server.wait_answer(b, 2s);
  ASSERT_TRUE(rb && rb->is_error);
  EXPECT_EQ(parse(rb->body).at("errorType"), "lambda::(anonymous namespace)::custom_failure");
  auto rc = server.wait_answer(c, 2s);
  ASSERT_TRUE(rc && rc->is_error);
  EXPECT_EQ(parse(rc->body).at("errorType"), "int");
  auto rd = server.wait_answer(d, 2s);
  ASSERT_TRUE(rd);
  EXPECT_FALSE(rd->is_error);
}

TEST(RunHandler, AHandlerPastTheDeadlineIsReportedAsATimeoutAndStopsTheLoop) {
  RuntimeApiServer server;
  const auto id = server.invoke(test::event("{}", test::deadline_in(200ms)));
  server.invoke(test::event("never taken"));
  auto client = client_for(server);
  const auto started = std::chrono::steady_clock::now();
  const auto stopped = run_handler(client, [](const Invocation&) {
    std::this_thread::sleep_for(1500ms);
    return InvocationResponse::success("too late");
  }, {.max_invocations = 2});
  EXPECT_EQ(stopped, Stopped::timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1200ms) << "did not wait for the handler";
  auto answer = server.wait_answer(id, 2s);
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->is_error);
  EXPECT_EQ(answer->error_type_header, kTimeoutErrorType);
  EXPECT_EQ(parse(answer->body).at("errorType"), kTimeoutErrorType);
  // Let the abandoned handler finish before the test binary moves on.
  std::this_thread::sleep_for(1500ms);
}

TEST(RunHandler, StopsWhenTheRuntimeApiAnswers500) {
  RuntimeApiServer server;
  server.fail_next_request(500);
  auto client = client_for(server);
  int calls = 0;
  auto stopped = run_handler(client, [&](const Invocation&) {
    ++calls;
    return InvocationResponse::success("{}");
  }, {.max_invocations = 1});
  EXPECT_EQ(stopped, Stopped::runtime_api_failed);
  EXPECT_EQ(calls, 0);

  // And when the response post gets the 500.
  const auto id = server.invoke(test::event("{}"));
  stopped = run_handler(client, [&](const Invocation&) {
    server.fail_next_request(500);
    return InvocationResponse::success("{}");
  }, {.max_invocations = 2});
  EXPECT_EQ(stopped, Stopped::runtime_api_failed);
  EXPECT_FALSE(server.wait_answer(id, 100ms));
}

TEST(RunHandler, StopsWhenTheRuntimeApiIsGone) {
  auto server = std::make_unique<RuntimeApiServer>();
  auto client = client_for(*server);
  server.reset();
  EXPECT_EQ(run_handler(client, [](const Invocation&) { return InvocationResponse::success(""); }),
            Stopped::runtime_api_failed);
}

}  // namespace
}  // namespace lambda
