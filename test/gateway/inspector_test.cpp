// The inspector: nothing recorded without a page, a bounded event ring, payloads hidden when
// asked, what the client saw, and the latency percentiles of the traffic charts.
#include "gateway/inspector.hpp"

#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "gateway/inspect_snapshot.hpp"

using namespace gateway;
namespace json = boost::json;

namespace {

apigw::Event message(const std::string& body, const std::string& id = "") {
  apigw::Event e;
  e.request_context.route_key = "sendmessage";
  e.request_context.connection_id = "conn-1";
  e.request_context.request_id = "req-" + (id.empty() ? body : id);
  e.body = body;
  json::object auth;
  auth["principalId"] = "g_1";
  auth["guestToken"] = "secret-guest-token";
  e.request_context.authorizer = auth;
  return e;
}

InvokeResult ok(const std::string& body) {
  InvokeResult r;
  r.response.status_code = 200;
  r.response.body = body;
  return r;
}

// Every "invocation" message a viewer got, as JSON.
std::vector<json::object> invocations(InspectViewer& v) {
  std::vector<json::object> out;
  const std::string text = v.take().text;
  std::size_t at = 0;
  while ((at = text.find("event: invocation\ndata: ", at)) != std::string::npos) {
    at += 24;
    const auto end = text.find('\n', at);
    out.push_back(json::parse(text.substr(at, end - at)).as_object());
  }
  return out;
}

void record(Inspector& in, const std::string& body, const InvokeResult& r,
            const std::string& id = "") {
  if (!in.watching()) return;  // what invoke.cpp does
  auto call = in.begin(message(body, id));
  in.finish(*call, r, false);
}

}  // namespace

TEST(Inspector, RecordsNothingWhileNoPageIsOpen) {
  Inspector in({});
  EXPECT_FALSE(in.watching());
  record(in, "before", ok("r"));
  auto v = in.attach([] {});
  EXPECT_TRUE(in.watching());
  EXPECT_TRUE(invocations(*v).empty());  // the replay holds nothing from before
  record(in, "after", ok("r"));
  auto got = invocations(*v);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["requestId"], "req-after");
  in.detach(v);
  EXPECT_FALSE(in.watching());
}

TEST(Inspector, ShowsTheEventAndTheResponseWithPayloads) {
  Inspector in({});
  auto v = in.attach([] {});
  record(in, "hello body", ok("handler answer"));
  auto got = invocations(*v);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["routeKey"], "sendmessage");
  EXPECT_EQ(got[0]["status"], "ok");
  EXPECT_NE(std::string(got[0]["event"].as_string()).find("hello body"), std::string::npos);
  EXPECT_NE(std::string(got[0]["response"].as_string()).find("handler answer"), std::string::npos);
  EXPECT_EQ(got[0]["failed"], false);
}

TEST(Inspector, HidesBodiesAndTokensWithPayloadsOff) {
  InspectorConfig c;
  c.payloads = false;
  Inspector in(c);
  auto v = in.attach([] {});
  record(in, "private words", ok("private answer"), "p1");
  auto got = invocations(*v);
  ASSERT_EQ(got.size(), 1u);
  const std::string all = json::serialize(got[0]);
  EXPECT_EQ(all.find("private words"), std::string::npos);
  EXPECT_EQ(all.find("private answer"), std::string::npos);
  EXPECT_EQ(all.find("secret-guest-token"), std::string::npos);
  EXPECT_NE(all.find("g_1"), std::string::npos);  // who sent it is still shown
  EXPECT_NE(all.find("req-p1"), std::string::npos);
}

TEST(Inspector, KeepsOnlyTheLastNEventsForAPageOpenedLater) {
  InspectorConfig c;
  c.events = 3;
  Inspector in(c);
  auto first = in.attach([] {});  // something must watch for anything to be recorded
  for (int i = 0; i < 10; ++i) record(in, std::to_string(i), ok("r"));
  auto later = in.attach([] {});
  auto got = invocations(*later);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0]["requestId"], "req-7");
  EXPECT_EQ(got[2]["requestId"], "req-9");
}

TEST(Inspector, MarksFailuresWithWhatTheClientSaw) {
  Inspector in({});
  auto v = in.attach([] {});
  InvokeResult err;
  err.status = InvokeResult::Status::error;
  err.error_message = "Runtime.ExitError";
  record(in, "x", err);
  auto call = in.begin(message("slow"));
  in.finish(*call, ok("late"), true);
  auto got = invocations(*v);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]["failed"], true);
  EXPECT_EQ(got[0]["outcome"], "Internal server error");
  EXPECT_EQ(got[0]["error"], "Runtime.ExitError");
  EXPECT_EQ(got[1]["status"], "timeout");
  EXPECT_EQ(got[1]["outcome"], "Endpoint request timed out");
  EXPECT_EQ(client_outcome("$connect", err, false, false), "502 Internal server error");
  InvokeResult refused = ok("no");
  refused.response.status_code = 403;
  EXPECT_EQ(client_outcome("$connect", refused, false, false), "403 refused");
  EXPECT_EQ(client_outcome("$default", ok("echo"), false, true), "response sent");
}

TEST(Inspector, DropsForASlowPageAndCountsIt) {
  InspectorConfig c;
  c.viewer_buffer = 16384;
  Inspector in(c);
  auto v = in.attach([] {});
  for (int i = 0; i < 200; ++i) record(in, std::string(500, 'y'), ok("r"));
  EXPECT_LE(in.buffered_bytes(), 16384u);
  EXPECT_GT(in.dropped(), 0u);
  auto b = v->take();
  EXPECT_GT(b.dropped, 0u);
  EXPECT_EQ(in.buffered_bytes(), 0u);
}

TEST(TrafficSampler, PercentilesInterpolateWithinTheBucket) {
  std::array<std::uint64_t, core::metrics::Histogram::bounds.size() + 1> d{};
  EXPECT_LT(percentile_ms(d, 0.5), 0);  // nothing observed
  d[4] = 100;                            // all in (0.5 ms, 1 ms]
  EXPECT_NEAR(percentile_ms(d, 0.5), 0.75, 1e-9);
  d[13] = 100;  // and as many in (1 s, 10 s]
  EXPECT_NEAR(percentile_ms(d, 0.5), 1.0, 1e-9);
  EXPECT_GT(percentile_ms(d, 0.99), 1000);
}

TEST(Inspector, CutsLongPayloadsOnACharacterBoundary) {
  Inspector in({});
  auto v = in.attach([] {});
  // 'é' is two bytes: with one prefix or the other, a cut at max_text falls inside one of them.
  for (std::string prefix : {"x", "xx"}) {
    std::string body = prefix;
    while (body.size() < Inspector::max_text * 2) body += "\xC3\xA9";
    record(in, body, ok("r"), "long" + prefix);
  }
  auto got = invocations(*v);
  ASSERT_EQ(got.size(), 2u);
  for (auto& e : got) {
    const std::string shown(e["event"].as_string());
    EXPECT_LE(shown.size(), Inspector::max_text);
    EXPECT_GT(e["eventBytes"].to_number<std::uint64_t>(), Inspector::max_text);
    // The last character is whole: a lead byte is followed by its one continuation byte.
    std::size_t i = shown.size(), continuation = 0;
    while (i > 0 && (static_cast<unsigned char>(shown[i - 1]) & 0xC0) == 0x80) --i, ++continuation;
    ASSERT_GT(i, 0u);
    EXPECT_EQ(continuation, static_cast<unsigned char>(shown[i - 1]) >= 0xC0 ? 1u : 0u);
  }
}
