#include "cluster/liveness.hpp"

#include <gtest/gtest.h>

namespace cluster {
namespace {

constexpr std::int64_t started = 1'000'000;
const std::string self = "http://127.0.0.1:9001/dev";
const std::string peer = "http://127.0.0.1:9002/dev";

TEST(Liveness, OwnRowsAreAliveUnlessFromAPreviousRun) {
  Liveness l(self, started);
  EXPECT_FALSE(l.dead(self, started + 5, started + 10));
  EXPECT_TRUE(l.dead(self, started - 1, started + 10));  // written before this run began
  EXPECT_FALSE(l.node_dead(self, started + 999'999'999));
}

TEST(Liveness, RowsWithoutANodeAreNeverDead) {
  Liveness l(self, started);
  EXPECT_FALSE(l.dead("", 0, started));
}

TEST(Liveness, AnUnseenPeerCountsAsAlive) {
  Liveness l(self, started);  // it may have started since the last refresh
  EXPECT_FALSE(l.dead(peer, started, started + 10));
  EXPECT_FALSE(l.node_dead(peer, started + 10));
}

TEST(Liveness, APeerIsDeadOnceItsHeartbeatExpired) {
  Liveness l(self, started);
  l.update({{peer, started - 100, started + 2000, {}, 0}});
  EXPECT_FALSE(l.dead(peer, started, started + 1999));
  EXPECT_FALSE(l.node_dead(peer, started + 2000));
  EXPECT_TRUE(l.dead(peer, started, started + 2001));
  EXPECT_TRUE(l.node_dead(peer, started + 2001));
}

TEST(Liveness, ARestartedPeersOlderRowsAreDead) {
  Liveness l(self, started);
  l.update({{peer, started + 500, started + 5000, {}, 0}});
  EXPECT_TRUE(l.dead(peer, started + 499, started + 600));  // its previous run's socket
  EXPECT_FALSE(l.dead(peer, started + 500, started + 600));
  EXPECT_FALSE(l.node_dead(peer, started + 600));
}

TEST(Liveness, UpdateReplacesTheView) {
  Liveness l(self, started);
  l.update({{peer, 0, started, {}, 0}});
  EXPECT_TRUE(l.node_dead(peer, started + 1));
  ASSERT_EQ(l.snapshot().size(), 1u);
  EXPECT_EQ(l.snapshot()[0].endpoint, peer);
  l.update({});  // its row was swept: unknown again, so not dead (and no row names it any more)
  EXPECT_FALSE(l.node_dead(peer, started + 1));
}

TEST(Liveness, RestartRetiresEveryOlderOwnRow) {
  Liveness l(self, started);
  l.restart(started + 1000);
  EXPECT_EQ(l.started_at(), started + 1000);
  EXPECT_TRUE(l.dead(self, started + 999, started + 1001));
  EXPECT_FALSE(l.dead(self, started + 1000, started + 1001));
}

}  // namespace
}  // namespace cluster
