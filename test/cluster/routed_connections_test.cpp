#include "cluster/routed_connections.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "apigw/post_batch.hpp"
#include "core/clock.hpp"
#include "fake_http_server.hpp"
#include "fake_session.hpp"
#include "fake_store.hpp"
#include "gateway/local_connections.hpp"

namespace cluster {
namespace {

const std::string self = "http://127.0.0.1:9001/dev";

// Another node's management API: records each request; ids starting with "gone" answer 410
// (in a batch post: listed as gone). With `batches` off it answers the batch post 404, as a
// public port or a node older than the batch post does.
struct Peer {
  std::mutex mutex;
  std::vector<std::string> targets;
  std::vector<std::string> bodies;
  std::atomic<bool> batches{true};
  aws::test::FakeHttpServer server{[this](const aws::http::Request& r) {
    std::lock_guard lock(mutex);
    targets.push_back(r.method + " " + r.target);
    bodies.push_back(r.body);
    aws::test::FakeReply reply;
    if (r.target.ends_with("/@parley/post")) {
      std::string why;
      auto batch = apigw::batch::decode_request(r.body, why);
      if (!batches || !batch) {
        reply.status = batches ? 400 : 404;
        return reply;
      }
      std::vector<core::result<void>> results;
      for (const auto& id : batch->ids)
        results.push_back(id.starts_with("gone") ? core::result<void>(core::errc::gone) : core::result<void>());
      reply.body = apigw::batch::encode_answer(results);
      return reply;
    }
    reply.status = r.target.find("/@connections/gone") != std::string::npos ? 410 : 200;
    return reply;
  }};
  std::string endpoint() const { return server.url() + "/dev"; }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return targets.size();
  }
};

struct RoutedConnectionsTest : ::testing::Test {
  std::int64_t now = core::now_ms();
  gateway::ConnectionRegistry registry;
  gateway::GatewayMetrics metrics{{}};
  gateway::LocalConnections local{registry, 131072, metrics};
  fakes::FakeStore rows;
  Liveness liveness{self, now - 1000};
  Peer peer, other;
  RoutingOptions options() {
    RoutingOptions o;
    o.credentials = aws::Credentials{"AKIDNODE", "secret", {}};
    return o;
  }
  RoutedConnections routed{local, rows, liveness, std::make_shared<aws::http::BlockingClient>(), options()};
  std::shared_ptr<gateway::testing::FakeSession> a = std::make_shared<gateway::testing::FakeSession>("A=");
  void SetUp() override { registry.add(a); }
};

// Recipients whose member rows name the node holding each.
struct Routed {
  std::vector<std::string> ids, gateways;
  Routed() = default;
  Routed(std::initializer_list<std::pair<std::string, std::string>> to) {
    for (const auto& [id, gateway] : to) add(id, gateway);
  }
  void add(std::string id, std::string gateway) {
    ids.push_back(std::move(id));
    gateways.push_back(std::move(gateway));
  }
  apigw::Recipients recipients() const { return {ids, gateways}; }
};

TEST_F(RoutedConnectionsTest, LocalIdsGoToThisNodesSockets) {
  ASSERT_TRUE(routed.post_one("A=", apigw::make_frame("hi")));
  ASSERT_EQ(a->frames.size(), 1u);
  EXPECT_EQ(*a->frames[0], "hi");
  EXPECT_EQ(peer.count(), 0u);
}

TEST_F(RoutedConnectionsTest, RecipientsGoToTheNodeTheirRowNamesWithoutAStoreRead) {
  rows.fail_all();  // a fan-out must not need the store
  const Routed to{{"A=", self}, {"B=", peer.endpoint()}, {"C=", other.endpoint()},
                                   {"gone1=", peer.endpoint()}, {"D=", peer.endpoint()}};
  auto results = routed.post(to.recipients(), apigw::make_frame("hello"));
  ASSERT_EQ(results.size(), 5u);
  EXPECT_TRUE(results[0]);
  EXPECT_TRUE(results[1]);
  EXPECT_TRUE(results[2]);
  ASSERT_FALSE(results[3]);
  EXPECT_EQ(results[3].error(), core::errc::gone);  // listed gone by the peer: gone, as a 410
  EXPECT_TRUE(results[4]);
  EXPECT_EQ(a->frames.size(), 1u);
  // The peer's three in one batch post, the frame once; the other node's one in a plain post.
  EXPECT_EQ(peer.count(), 1u);
  EXPECT_EQ(other.count(), 1u);
  {
    std::lock_guard lock(peer.mutex);
    EXPECT_EQ(peer.targets[0], "POST /dev/@parley/post");
    EXPECT_EQ(peer.bodies[0], apigw::batch::encode_request(std::vector<std::string>{"B=", "gone1=", "D="}, "hello"));
  }
  std::lock_guard lock(other.mutex);
  EXPECT_EQ(other.bodies[0], "hello");
  EXPECT_EQ(other.targets[0].rfind("POST /dev/@connections/", 0), 0u) << other.targets[0];
}

TEST_F(RoutedConnectionsTest, APeerThatDoesNotServeBatchesIsPostedOneByOne) {
  peer.batches = false;
  const Routed to{{"B=", peer.endpoint()}, {"gone1=", peer.endpoint()}, {"D=", peer.endpoint()}};
  auto results = routed.post(to.recipients(), apigw::make_frame("hello"));
  EXPECT_TRUE(results[0]);
  EXPECT_EQ(results[1].error(), core::errc::gone);
  EXPECT_TRUE(results[2]);
  EXPECT_EQ(peer.count(), 4u);  // the batch answered 404, then one post per recipient
  // Remembered: the next fan-out to it goes one by one at once.
  results = routed.post(to.recipients(), apigw::make_frame("again"));
  EXPECT_TRUE(results[0]);
  EXPECT_EQ(peer.count(), 7u);
  std::lock_guard lock(peer.mutex);
  for (std::size_t i = 1; i < 7; ++i) EXPECT_EQ(peer.targets[i].rfind("POST /dev/@connections/", 0), 0u) << i;
}

TEST_F(RoutedConnectionsTest, AnIdNoBatchCanCarryIsGoneAndTheOthersAreStillBatched) {
  const Routed to{{"B=", peer.endpoint()}, {"has space=", peer.endpoint()}, {"D=", peer.endpoint()}};
  auto results = routed.post(to.recipients(), apigw::make_frame("hello"));
  EXPECT_TRUE(results[0]);
  EXPECT_EQ(results[1].error(), core::errc::gone);
  EXPECT_TRUE(results[2]);
  EXPECT_EQ(peer.count(), 1u);
  std::lock_guard lock(peer.mutex);
  EXPECT_EQ(peer.bodies[0], apigw::batch::encode_request(std::vector<std::string>{"B=", "D="}, "hello"));
}

TEST_F(RoutedConnectionsTest, ABatchAnswerThatIsNotOneIsAFailureNotDelivered) {
  aws::test::FakeHttpServer odd([](const aws::http::Request&) { return aws::test::FakeReply{}; });  // 200, empty
  const Routed to{{"B=", odd.url() + "/dev"}, {"D=", odd.url() + "/dev"}};
  auto results = routed.post(to.recipients(), apigw::make_frame("x"));
  for (const auto& r : results) {
    ASSERT_FALSE(r);
    EXPECT_NE(r.error(), core::errc::gone);  // not deleted either
  }
}

TEST_F(RoutedConnectionsTest, PostsToOnePeerAreBoundedInFlight) {
  aws::test::FakeHttpServer slow([](const aws::http::Request&) {
    aws::test::FakeReply r;
    r.delay = std::chrono::milliseconds(20);
    return r;
  });
  RoutingOptions o;
  o.max_in_flight = 4;
  o.batch = false;  // one post per recipient (as to a peer that serves no batch post)
  RoutedConnections bounded(local, rows, liveness, std::make_shared<aws::http::BlockingClient>(), o);
  Routed to;
  for (int i = 0; i < 40; ++i) to.add("R" + std::to_string(i) + "=", slow.url() + "/dev");
  auto results = bounded.post(to.recipients(), apigw::make_frame("x"));
  for (const auto& r : results) EXPECT_TRUE(r);
  EXPECT_EQ(slow.requests(), 40);
  EXPECT_LE(slow.max_concurrent_connections(), 4);
  EXPECT_GE(slow.max_concurrent_connections(), 2);  // concurrent, not one after another
}

// A recipient naming a node this view last saw expired was read through the NodeStore, which
// leaves out that node's rows from before its expiry: this one is its rejoined run's (it
// fenced itself; the view has not refreshed). It is posted to, never answered 410 — the sender
// would delete the row of a live connection (issue 15 #4).
TEST_F(RoutedConnectionsTest, ARowOfANodeRejoinedSinceTheViewSawItExpireIsPostedTo) {
  liveness.update({{peer.endpoint(), 0, now - 1, {}, 0}});
  EXPECT_TRUE(liveness.dead(peer.endpoint(), now - 10, now));  // its old run's rows: hidden
  EXPECT_FALSE(liveness.dead(peer.endpoint(), now, now));       // a row written since: not
  const Routed to{{"B=", peer.endpoint()}};
  auto results = routed.post(to.recipients(), apigw::make_frame("x"));
  EXPECT_TRUE(results[0]);
  EXPECT_EQ(peer.count(), 1u);
}

TEST_F(RoutedConnectionsTest, ASinglePostToAnIdNotHereLooksUpItsRow) {
  ASSERT_TRUE(rows.put_connection({"B=", "bob", now, peer.endpoint(), 0, "lobby", -1}));
  EXPECT_TRUE(routed.post_one("B=", apigw::make_frame("dm")));
  EXPECT_EQ(peer.count(), 1u);
  // No row, or a row of this node whose socket is not here: gone, and nothing sent.
  EXPECT_EQ(routed.post_one("X=", apigw::make_frame("dm")).error(), core::errc::gone);
  ASSERT_TRUE(rows.put_connection({"S=", "sam", now, self, 0, "lobby", -1}));
  EXPECT_EQ(routed.post_one("S=", apigw::make_frame("dm")).error(), core::errc::gone);
  EXPECT_EQ(peer.count(), 1u);
  // A post to ids alone (no gateways) routes the same way.
  const std::vector<std::string> ids{"A=", "B="};
  auto many = routed.post({ids}, apigw::make_frame("m"));
  EXPECT_TRUE(many[0]);
  EXPECT_TRUE(many[1]);
  EXPECT_EQ(peer.count(), 2u);
}

TEST_F(RoutedConnectionsTest, NodeToNodePostsAreSigned) {
  struct Seen {
    std::mutex mutex;
    std::string authorization;
  } seen;
  aws::test::FakeHttpServer signer_check([&](const aws::http::Request& r) {
    std::lock_guard lock(seen.mutex);
    for (const auto& h : r.headers)
      if (h.name == "Authorization" || h.name == "authorization") seen.authorization = h.value;
    return aws::test::FakeReply{};
  });
  const Routed to{{"B=", signer_check.url() + "/dev"}};
  ASSERT_TRUE(routed.post(to.recipients(), apigw::make_frame("x"))[0]);
  {
    std::lock_guard lock(seen.mutex);
    EXPECT_NE(seen.authorization.find("Credential=AKIDNODE/"), std::string::npos) << seen.authorization;
    EXPECT_NE(seen.authorization.find("/execute-api/aws4_request"), std::string::npos) << seen.authorization;
    seen.authorization.clear();
  }
  // The batch post too (its answer here is no batch answer: only the signature is looked at).
  const Routed two{{"B=", signer_check.url() + "/dev"}, {"C=", signer_check.url() + "/dev"}};
  (void)routed.post(two.recipients(), apigw::make_frame("x"));
  std::lock_guard lock(seen.mutex);
  EXPECT_NE(seen.authorization.find("Credential=AKIDNODE/"), std::string::npos) << seen.authorization;
}

TEST_F(RoutedConnectionsTest, AnUnreachablePeerIsAnErrorNotGone) {
  std::uint16_t port;
  {
    aws::test::FakeHttpServer closed([](const aws::http::Request&) { return aws::test::FakeReply{}; });
    port = closed.port();
  }
  const Routed to{{"B=", "http://127.0.0.1:" + std::to_string(port) + "/dev"}};
  auto r = routed.post(to.recipients(), apigw::make_frame("x"));
  ASSERT_FALSE(r[0]);
  EXPECT_NE(r[0].error(), core::errc::gone);  // its rows are not deleted for a network failure
}

}  // namespace
}  // namespace cluster
