// store::DynamoNodes and cluster::Heartbeat against a real dynalite (npm, on a free loopback
// port): the node rows' conditions, and the sweep of a dead node's rows with the leaves it
// announces. Skipped without node/dynalite, except under CI.
#include "cluster/heartbeat.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <limits>
#include <optional>
#include <thread>
#include <sstream>

#include "cluster/node_store.hpp"
#include "cluster/routed_connections.hpp"
#include "core/clock.hpp"
#include "dynalite_server.hpp"
#include "fake_session.hpp"
#include "gateway/local_connections.hpp"
#include "store/dynamodb/dynamo_create_tables.hpp"
#include "store/dynamodb/dynamo_nodes.hpp"
#include "store/dynamodb/dynamo_store.hpp"

namespace cluster {
namespace {

class Env {
 public:
  static Env& get() {
    static Env env;
    return env;
  }
  std::unique_ptr<aws::test::DynaliteServer> server;
  std::string why;
  bool ready = false;

 private:
  Env() {
    server = aws::test::DynaliteServer::start(why);
    ready = server != nullptr;
  }
};

int table_round = 0;

struct HeartbeatTest : ::testing::Test {
  std::unique_ptr<store::Dynamo> dynamo;
  std::unique_ptr<store::DynamoNodes> nodes;
  std::int64_t now = core::now_ms();
  const std::string self = "http://127.0.0.1:9001/dev";
  const std::string dead = "http://127.0.0.1:9002/dev";

  void SetUp() override {
    auto& env = Env::get();
    if (!env.ready) {
      if (std::getenv("CI")) FAIL() << env.why;
      GTEST_SKIP() << env.why;
    }
    // Fresh tables per test: the nodes table is a Scan.
    auto tables = store::DynamoTables::with_prefix("hb" + std::to_string(++table_round) + "-");
    auto client = store::make_dynamo_client(aws::dynamodb::ClientConfig::local(env.server->url()).value());
    std::ostringstream progress;
    ASSERT_TRUE(store::create_tables(*client, tables, progress)) << progress.str();
    dynamo = std::make_unique<store::Dynamo>(client, tables);
    nodes = std::make_unique<store::DynamoNodes>(dynamo->client(), tables);
  }
};

TEST_F(HeartbeatTest, NodeRowsClaimsAndRemoval) {
  ASSERT_TRUE(nodes->beat({self, now - 5000, now + 2000, {}, 0}));
  ASSERT_TRUE(nodes->beat({dead, now - 9000, now - 100, {}, 0}));
  auto all = nodes->nodes();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);

  // A live node cannot be claimed; a dead one once, by one sweeper until its lease ends.
  EXPECT_EQ(nodes->claim(self, dead, now, now + 1000).error(), core::errc::conflict);
  EXPECT_TRUE(nodes->claim(dead, self, now, now + 1000));
  EXPECT_EQ(nodes->claim(dead, "http://third/dev", now, now + 1000).error(), core::errc::conflict);
  EXPECT_TRUE(nodes->claim(dead, self, now, now + 1000));  // the same sweeper again
  EXPECT_TRUE(nodes->claim(dead, "http://third/dev", now + 1001, now + 2000));  // lease over

  // remove keeps a row that beat since, deletes one still expired.
  ASSERT_TRUE(nodes->remove(self, now));
  ASSERT_TRUE(nodes->remove(dead, now));
  all = nodes->nodes();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->at(0).endpoint, self);
  EXPECT_EQ(all->at(0).started_at, now - 5000);
  EXPECT_EQ(all->at(0).expires_at, now + 2000);
}

TEST_F(HeartbeatTest, ConnectionsOfFindsANodesRowsBeforeATime) {
  ASSERT_TRUE(dynamo->put_connection({"A1=", "a", now - 10, dead, 0, "lobby", -1}));
  ASSERT_TRUE(dynamo->put_connection({"A2=", "a", now + 10, dead, 0, "lobby", -1}));
  ASSERT_TRUE(dynamo->put_connection({"B1=", "b", now - 10, self, 0, "lobby", -1}));
  auto rows = nodes->connections_of(dead, now);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).connection_id, "A1=");
}

// Node `self` with one socket (L=) in a room shared with two connections of the dead node.
struct SweepTest : HeartbeatTest {
  gateway::ConnectionRegistry registry;
  gateway::GatewayMetrics metrics{{}};
  gateway::LocalConnections local{registry, 131072, metrics};
  std::shared_ptr<gateway::testing::FakeSession> l = std::make_shared<gateway::testing::FakeSession>("L=");

  std::string frames() {
    std::string all;
    for (const auto& f : l->frames) all += *f + "\n";
    return all;
  }
};

TEST_F(SweepTest, ALiveNodeSweepsADeadOnesRowsAndAnnouncesTheLeaves) {
  if (!dynamo) return;
  registry.add(l);
  Liveness liveness(self, now - 1000);
  NodeStore view(dynamo->tables(), liveness);
  RoutedConnections routed(local, view, liveness, std::make_shared<aws::http::BlockingClient>(), {});
  ASSERT_TRUE(nodes->beat({dead, now - 60'000, now - 1, {}, 0}));  // stopped beating
  for (const char* id : {"D1=", "D2="}) {
    ASSERT_TRUE(dynamo->put_connection({id, id, now - 30'000, dead, 0, "room", -1}));
    ASSERT_TRUE(dynamo->put_member({"room", id, std::string("n") + id, now - 30'000, 0, dead}));
    ASSERT_TRUE(dynamo->put_member({"other", id, "x", now - 30'000, 0, dead}));
  }
  ASSERT_TRUE(view.put_connection({"L=", "me", now, "", 0, "room", -1}));
  ASSERT_TRUE(view.put_member({"room", "L=", "me", now, 0, ""}));

  HeartbeatOptions o;
  o.ttl = std::chrono::milliseconds(2000);
  Heartbeat hb(*nodes, liveness, handlers::Ports{view.tables(), routed}, dynamo->tables(), o);
  ASSERT_TRUE(hb.join());
  EXPECT_EQ(view.members("room")->size(), 1u);  // the view hides the dead rows at once
  hb.sweep_once();

  EXPECT_EQ(dynamo->get_connection("D1=").error(), core::errc::not_found);
  EXPECT_EQ(dynamo->get_connection("D2=").error(), core::errc::not_found);
  EXPECT_TRUE(dynamo->memberships("D1=")->empty());
  EXPECT_TRUE(dynamo->members("other")->empty());
  auto left = dynamo->members("room");
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->at(0).connection_id, "L=");
  const auto seen = frames();
  EXPECT_NE(seen.find(R"("event":"leave")"), std::string::npos) << seen;
  EXPECT_NE(seen.find("D1="), std::string::npos) << seen;
  EXPECT_NE(seen.find("D2="), std::string::npos) << seen;
  auto all = nodes->nodes();
  ASSERT_EQ(all->size(), 1u);  // the dead node's row went with its rows
  EXPECT_EQ(all->at(0).endpoint, self);
  hb.stop(true);
  EXPECT_TRUE(nodes->nodes()->empty());  // a clean stop leaves nothing to sweep
}

TEST_F(SweepTest, JoinSweepsOnlyThisEndpointsPreviousRun) {
  if (!dynamo) return;
  ASSERT_TRUE(dynamo->put_connection({"OLD=", "o", now - 5000, self, 0, "room", -1}));
  ASSERT_TRUE(dynamo->put_member({"room", "OLD=", "o", now - 5000, 0, self}));
  ASSERT_TRUE(dynamo->put_connection({"PEER=", "p", now - 5000, dead, 0, "room", -1}));
  ASSERT_TRUE(dynamo->put_member({"room", "PEER=", "p", now - 5000, 0, dead}));
  ASSERT_TRUE(nodes->beat({dead, now - 60'000, now + 60'000, {}, 0}));  // alive
  Liveness liveness(self, now);
  NodeStore view(dynamo->tables(), liveness);
  RoutedConnections routed(local, view, liveness, std::make_shared<aws::http::BlockingClient>(), {});
  Heartbeat hb(*nodes, liveness, handlers::Ports{view.tables(), routed}, dynamo->tables(), {});
  ASSERT_TRUE(hb.join());
  EXPECT_EQ(dynamo->get_connection("OLD=").error(), core::errc::not_found);
  EXPECT_TRUE(dynamo->get_connection("PEER="));  // another live node's: untouched
  auto members = dynamo->members("room");
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ(members->at(0).connection_id, "PEER=");
  hb.sweep_once();  // alive: nothing claimed, nothing swept
  EXPECT_TRUE(dynamo->get_connection("PEER="));
}

TEST_F(SweepTest, ANodeThatCannotBeatForAWholeTtlClosesItsSocketsAndStartsAfresh) {
  if (!dynamo) return;
  registry.add(l);
  Liveness liveness(self, now - 10);
  NodeStore view(dynamo->tables(), liveness);
  RoutedConnections routed(local, view, liveness, std::make_shared<aws::http::BlockingClient>(), {});
  HeartbeatOptions o;
  o.ttl = std::chrono::milliseconds(200);
  int fenced = 0;
  Heartbeat hb(*nodes, liveness, handlers::Ports{view.tables(), routed}, dynamo->tables(), o, [&] {
    ++fenced;
    for (auto& s : registry.all()) s->close(1012, "rejoin");
  });
  ASSERT_TRUE(hb.join());
  const auto started = liveness.started_at();
  Env::get().server->stop();  // the store goes away
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  hb.beat_once();
  EXPECT_EQ(fenced, 1);
  EXPECT_EQ(l->closed_with, 1012);
  EXPECT_GT(liveness.started_at(), started);
  hb.beat_once();
  EXPECT_EQ(fenced, 1);  // once per lapse
  ASSERT_TRUE(Env::get().server->restart());
}

// Issue 15 #4: a node the others presumed dead while it was stalled (SIGSTOP, a slow store)
// must not carry on with sockets whose rows were swept. Three ways it finds out.
struct FenceTest : SweepTest {
  int fenced = 0;
  std::optional<Liveness> liveness;
  std::optional<NodeStore> view;
  std::optional<RoutedConnections> routed;
  std::optional<Heartbeat> hb;

  void start(std::chrono::milliseconds ttl) {
    registry.add(l);
    liveness.emplace(self, now - 10);
    view.emplace(dynamo->tables(), *liveness);
    routed.emplace(local, *view, *liveness, std::make_shared<aws::http::BlockingClient>(), RoutingOptions{});
    HeartbeatOptions o;
    o.ttl = ttl;
    hb.emplace(*nodes, *liveness, handlers::Ports{view->tables(), *routed}, dynamo->tables(), o, [this] {
      ++fenced;
      for (auto& s : registry.all()) s->close(1012, "Service Restart");
    });
    ASSERT_TRUE(hb->join());
  }
  // This node's row as the others read it.
  std::optional<store::Node> own_row() {
    for (const auto& n : *nodes->nodes())
      if (n.endpoint == self) return n;
    return std::nullopt;
  }
};

TEST_F(FenceTest, BeatsOfALiveRunRenewItsRowWithoutFencing) {
  if (!dynamo) return;
  start(std::chrono::seconds(30));
  const auto started = liveness->started_at();
  hb->beat_once();
  hb->beat_once();
  EXPECT_EQ(fenced, 0);
  EXPECT_EQ(l->closed_with, 0);
  ASSERT_TRUE(own_row());
  EXPECT_EQ(own_row()->started_at, started);
}

TEST_F(FenceTest, ANodeWhoseRowIsBeingSweptClosesItsSocketsAndRejoins) {
  if (!dynamo) return;
  start(std::chrono::seconds(30));
  const auto started = liveness->started_at();
  // Another node (whose clock runs ahead, or that saw the row expire) claims the sweep.
  ASSERT_TRUE(nodes->claim(self, dead, now + 60'000, now + 120'000));
  hb->beat_once();
  EXPECT_EQ(fenced, 1);
  EXPECT_EQ(l->closed_with, 1012);
  EXPECT_GT(liveness->started_at(), started);
  auto row = own_row();
  ASSERT_TRUE(row);  // registered again as a new run, the claim dropped
  EXPECT_EQ(row->started_at, liveness->started_at());
  EXPECT_EQ(row->sweeper, "");
  hb->beat_once();  // and renews that run from now on
  EXPECT_EQ(fenced, 1);
}

TEST_F(FenceTest, ANodeWhoseRowWasSweptAwayClosesItsSocketsAndRejoins) {
  if (!dynamo) return;
  start(std::chrono::seconds(30));
  ASSERT_TRUE(nodes->remove(self, std::numeric_limits<std::int64_t>::max()));  // the sweep's last step
  hb->beat_once();
  EXPECT_EQ(fenced, 1);
  EXPECT_EQ(l->closed_with, 1012);
  ASSERT_TRUE(own_row());
  EXPECT_EQ(own_row()->started_at, liveness->started_at());
}

TEST_F(FenceTest, AStallPastTheTtlFencesEvenBeforeAnyoneSweeps) {
  if (!dynamo) return;
  start(std::chrono::milliseconds(200));
  const auto started = liveness->started_at();
  std::this_thread::sleep_for(std::chrono::milliseconds(250));  // stopped: no beat for a ttl
  hb->beat_once();
  EXPECT_EQ(fenced, 1);  // senders may have dropped its rows on a 410 meanwhile
  EXPECT_EQ(l->closed_with, 1012);
  EXPECT_GT(liveness->started_at(), started);
  ASSERT_TRUE(own_row());
  EXPECT_EQ(own_row()->started_at, liveness->started_at());
}

}  // namespace
}  // namespace cluster
