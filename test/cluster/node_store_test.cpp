#include "cluster/node_store.hpp"

#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "fake_store.hpp"

namespace cluster {
namespace {

const std::string self = "http://127.0.0.1:9001/dev";
const std::string peer = "http://127.0.0.1:9002/dev";

struct NodeStoreTest : ::testing::Test {
  std::int64_t now = core::now_ms();
  fakes::FakeStore shared;
  Liveness liveness{self, now - 60'000};
  NodeStore store{shared.tables(), liveness};

  store::Member member(std::string id, std::string gateway, std::int64_t joined_at) {
    return {"lobby", std::move(id), "n", joined_at, 0, std::move(gateway)};
  }
};

TEST_F(NodeStoreTest, RowsWrittenHereNameThisNode) {
  ASSERT_TRUE(store.put_connection({"A=", "ann", now, "", 0, "lobby", -1}));
  ASSERT_TRUE(store.put_member(member("A=", "", now)));
  EXPECT_EQ(shared.get_connection("A=")->gateway, self);
  EXPECT_EQ(shared.members("lobby")->at(0).gateway, self);
}

// $connect's and setname's writes go down whole (the shared store's own way of writing both
// tables), with every row they carry stamped as put_connection and put_member stamp theirs.
TEST_F(NodeStoreTest, WritesSpanningTwoTablesStampEveryRow) {
  ASSERT_TRUE(store.put_connection_and_member({"A=", "ann", now, "", 0, "lobby", -1, ""}, member("A=", "", now)));
  EXPECT_EQ(shared.get_connection("A=")->gateway, self);
  EXPECT_EQ(shared.members("lobby")->at(0).gateway, self);
  auto renamed = member("A=", "", now);
  renamed.name = "anna";
  auto attic = renamed;
  attic.room = "attic";
  ASSERT_TRUE(store.rename({{"A=", "anna", now, "", 0, "lobby", -1, ""}, "ann", {attic, renamed}, {"ann", "ann"}}));
  EXPECT_EQ(shared.get_connection("A=")->name, "anna");
  EXPECT_EQ(shared.get_connection("A=")->gateway, self);
  EXPECT_EQ(shared.members("attic")->at(0).gateway, self);
  EXPECT_EQ(shared.members("lobby")->at(0).name, "anna");
  EXPECT_EQ(shared.members("lobby")->at(0).gateway, self);
}

TEST_F(NodeStoreTest, RowsOfOtherNodesKeepTheirGateway) {
  ASSERT_TRUE(store.put_member(member("B=", peer, now)));
  EXPECT_EQ(shared.members("lobby")->at(0).gateway, peer);
}

TEST_F(NodeStoreTest, ReadsLeaveOutTheRowsOfADeadNode) {
  ASSERT_TRUE(shared.put_connection({"B=", "bob", now - 5000, peer, 0, "lobby", -1}));
  ASSERT_TRUE(shared.put_member(member("A=", self, now)));
  ASSERT_TRUE(shared.put_member(member("B=", peer, now - 5000)));
  EXPECT_EQ(store.members("lobby")->size(), 2u);  // the peer not seen yet: alive
  liveness.update({{peer, now - 10'000, now - 1, {}, 0}});  // its heartbeat just expired
  auto members = store.members("lobby");
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ(members->at(0).connection_id, "A=");
  EXPECT_TRUE(store.memberships("B=")->empty());
  EXPECT_EQ(store.get_connection("B=").error(), core::errc::not_found);
  EXPECT_TRUE(shared.get_connection("B="));  // still there, for the sweeper
  // A row that node wrote after that expiry is its rejoined run's (issue 15 #4): kept.
  ASSERT_TRUE(shared.put_member(member("C=", peer, now)));
  EXPECT_EQ(store.members("lobby")->size(), 2u);
}

TEST_F(NodeStoreTest, ReadsLeaveOutAPreviousRunsRowsAndNodelessRowsPastTheirTtl) {
  ASSERT_TRUE(shared.put_member({"lobby", "T=", "t", now, now / 1000 - 1, ""}));
  ASSERT_TRUE(shared.put_member(member("OLD=", self, now - 120'000)));  // before this run began
  ASSERT_TRUE(shared.put_member(member("NEW=", self, now)));
  // A live node's connection open longer than its row's ttl (--max-duration above it) stays.
  ASSERT_TRUE(shared.put_member({"lobby", "LONG=", "l", now, now / 1000 - 1, peer}));
  auto members = store.members("lobby");
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ(members->at(0).connection_id, "LONG=");
  EXPECT_EQ(members->at(1).connection_id, "NEW=");
}

TEST_F(NodeStoreTest, StoreFailuresPassThrough) {
  shared.fail_all();
  EXPECT_EQ(store.members("lobby").error(), core::errc::store_unavailable);
  EXPECT_EQ(store.get_connection("A=").error(), core::errc::store_unavailable);
}

}  // namespace
}  // namespace cluster
