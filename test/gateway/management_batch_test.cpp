// The node-to-node batch post on the gateway side (gateway/management_batch): served on the
// management listener under @connections' own auth, never on the public port; one frame to
// every listed connection of this node, the answer naming the gone and the throttled.
#include "gateway/management_batch.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "apigw/post_batch.hpp"
#include "fake_session.hpp"
#include "sign_request.hpp"

namespace gateway {
namespace {

namespace http = boost::beast::http;
using testing::FakeSession;

// An integration that is never invoked: the batch post reaches only the registry.
class NoIntegration final : public Integration {
 public:
  std::vector<std::string> route_keys() const override { return {"$default"}; }
  void invoke(apigw::Event, std::function<void(InvokeResult)>) override { ADD_FAILURE() << "invoked"; }
};

const std::string kTarget = "/dev/@parley/post";

HttpRequest batch(const std::vector<std::string>& ids, const std::string& frame) {
  HttpRequest req{http::verb::post, kTarget, 11};
  req.set(http::field::host, "127.0.0.1:8081");
  req.body() = apigw::batch::encode_request(ids, frame);
  req.prepare_payload();
  return req;
}

HttpRequest signed_batch(const std::vector<std::string>& ids, const std::string& frame, const std::string& id,
                         const std::string& secret) {
  HttpRequest req = batch(ids, frame);
  testing::sign_execute_api(req, id, secret);
  return req;
}

struct Node {
  explicit Node(Config c = {}) : ctx(std::move(c), integration) {
    for (auto* s : {&a, &b, &full}) ctx.registry.add(*s);
    (*full).full = true;
  }
  NoIntegration integration;
  Context ctx;
  std::shared_ptr<FakeSession> a = std::make_shared<FakeSession>("AAAAAAAAAAAAAAA=");
  std::shared_ptr<FakeSession> b = std::make_shared<FakeSession>("BBBBBBBBBBBBBBB=");
  std::shared_ptr<FakeSession> full = std::make_shared<FakeSession>("FFFFFFFFFFFFFFF=");
};

std::string error_type(const HttpResponse& r) {
  auto it = r.find("x-amzn-ErrorType");
  return it == r.end() ? "" : std::string(it->value());
}

TEST(ManagementBatch, PostsTheFrameOnceToEveryListedConnectionAndNamesTheGoneAndTheThrottled) {
  Node n;
  const std::vector<std::string> ids{n.a->id(), "GGGGGGGGGGGGGGG=", n.full->id(), n.b->id()};
  const auto res = handle_post_batch(n.ctx, batch(ids, R"({"type":"message"})"), ManagementCaller::local);
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(boost::json::parse(res.body()), boost::json::parse(R"({"gone":[1],"throttled":[2]})"));
  ASSERT_EQ(n.a->frames.size(), 1u);
  ASSERT_EQ(n.b->frames.size(), 1u);
  EXPECT_EQ(*n.a->frames[0], R"({"type":"message"})");
  EXPECT_EQ(n.a->frames[0], n.b->frames[0]) << "one frame shared by every recipient";
}

TEST(ManagementBatch, ThePublicPortNeverServesItSignedOrNot) {
  Config c;
  c.management_keys["AKIDNODE"] = "node-secret";
  Node n(c);
  for (const auto& req : {batch({n.a->id()}, "x"), signed_batch({n.a->id()}, "x", "AKIDNODE", "node-secret")}) {
    const auto res = handle_post_batch(n.ctx, req, ManagementCaller::public_port);
    EXPECT_EQ(res.result_int(), 404u);
    EXPECT_EQ(error_type(res), "NotFoundException");
  }
  EXPECT_TRUE(n.a->frames.empty());
}

TEST(ManagementBatch, TheManagementListenerRefusesAsForConnections) {
  {  // no keys: a caller that is not a direct loopback peer
    Node n;
    const auto res = handle_post_batch(n.ctx, batch({n.a->id()}, "x"), ManagementCaller::remote);
    EXPECT_EQ(res.result_int(), 403u);
    EXPECT_EQ(error_type(res), "ForbiddenException");
  }
  Config c;
  c.management_keys["AKIDNODE"] = "node-secret";
  Node n(c);
  // keys: everyone signs, loopback too; a wrong key or a tampered body is refused
  EXPECT_EQ(error_type(handle_post_batch(n.ctx, batch({n.a->id()}, "x"), ManagementCaller::local)),
            "MissingAuthenticationTokenException");
  EXPECT_EQ(error_type(handle_post_batch(n.ctx, signed_batch({n.a->id()}, "x", "AKIDOTHER", "s"), ManagementCaller::remote)),
            "UnrecognizedClientException");
  auto tampered = signed_batch({n.a->id()}, "x", "AKIDNODE", "node-secret");
  tampered.body() = apigw::batch::encode_request(std::vector<std::string>{n.b->id()}, "x");
  tampered.prepare_payload();
  EXPECT_EQ(handle_post_batch(n.ctx, tampered, ManagementCaller::remote).result_int(), 403u);
  EXPECT_TRUE(n.a->frames.empty());
  EXPECT_TRUE(n.b->frames.empty());
  const auto ok = handle_post_batch(n.ctx, signed_batch({n.a->id()}, "x", "AKIDNODE", "node-secret"), ManagementCaller::remote);
  EXPECT_EQ(ok.result_int(), 200u) << ok.body();
  EXPECT_EQ(n.a->frames.size(), 1u);
}

TEST(ManagementBatch, BadInputIsAClearErrorAndReachesNobody) {
  Node n;
  HttpRequest malformed = batch({n.a->id()}, "x");
  malformed.body() = "2\n" + n.a->id() + "\n";
  malformed.prepare_payload();
  auto res = handle_post_batch(n.ctx, malformed, ManagementCaller::local);
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_NE(res.body().find("ends before its 2 ids"), std::string::npos) << res.body();

  res = handle_post_batch(n.ctx, batch({n.a->id()}, std::string(n.ctx.config.max_post_bytes + 1, 'x')),
                          ManagementCaller::local);
  EXPECT_EQ(res.result_int(), 413u);

  HttpRequest get = batch({n.a->id()}, "x");
  get.method(http::verb::get);
  res = handle_post_batch(n.ctx, get, ManagementCaller::local);
  EXPECT_EQ(res.result_int(), 405u);
  EXPECT_TRUE(n.a->frames.empty());
}

}  // namespace
}  // namespace gateway
