#include "cluster/liveness.hpp"

#include <gtest/gtest.h>

#include <chrono>

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

// This node's reads of the rows failed for a while: the expiry it last saw passes, but the peer
// may have beaten since. Not dead until a read shows it expired (the fault suite's cluster
// missed-live: a live peer's members hidden from a fan-out while this node's reads failed).
TEST(Liveness, AStaleViewDoesNotDeclareItsPeersDead) {
  Liveness l(self, started);
  const auto t0 = std::chrono::steady_clock::now();
  l.update({{peer, started - 100, started + 2000, {}, 0}}, t0, started);
  EXPECT_FALSE(l.dead(peer, started, started + 5000));
  EXPECT_FALSE(l.node_dead(peer, started + 5000));
  // A read at +3000 finds the same row: it expired and did not beat again.
  l.update({{peer, started - 100, started + 2000, {}, 0}}, t0 + std::chrono::seconds(3), started + 3000);
  EXPECT_TRUE(l.dead(peer, started, started + 5000));
  EXPECT_TRUE(l.node_dead(peer, started + 5000));
  EXPECT_FALSE(l.dead(peer, started + 2001, started + 5000));  // written after that expiry: a new run's
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

// Issue 15 #6: whether a peer is silent (its clientMsgId claims may be taken over) is judged on
// this process's monotonic clock alone: the peer's expiresAt is only compared with itself.
TEST(Liveness, SilenceIsObservedOnOwnClockWhateverThePeersClockSays) {
  using namespace std::chrono_literals;
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  const auto ttl = std::chrono::milliseconds(2000);
  Liveness l(self, started);
  // The peer's clock is an hour behind ours: its expiresAt looks long past to node_dead...
  const std::int64_t behind = started - 3'600'000;
  l.update({{peer, behind - 100, behind + 2000, {}, 0}}, t0);
  EXPECT_TRUE(l.node_dead(peer, started));
  // ...but it beats: each refresh finds a new expiresAt, so it is not silent.
  EXPECT_FALSE(l.silent(peer, ttl, t0 + 1500ms));
  l.update({{peer, behind - 100, behind + 2700, {}, 0}}, t0 + 700ms);
  l.update({{peer, behind - 100, behind + 3400, {}, 0}}, t0 + 1400ms);
  l.update({{peer, behind - 100, behind + 4100, {}, 0}}, t0 + 2100ms);
  EXPECT_FALSE(l.silent(peer, ttl, t0 + 3000ms));
  // It stops beating: the same row through a whole ttl of our refreshes.
  l.update({{peer, behind - 100, behind + 4100, {}, 0}}, t0 + 2800ms);
  l.update({{peer, behind - 100, behind + 4100, {}, 0}}, t0 + 3500ms);
  EXPECT_FALSE(l.silent(peer, ttl, t0 + 4000ms));
  EXPECT_TRUE(l.silent(peer, ttl, t0 + 4200ms));
  // A peer whose clock runs ahead never looks expired, and is silent all the same once it stops.
  const std::string fast = "http://127.0.0.1:9003/dev";
  l.update({{fast, started + 3'600'000, started + 3'602'000, {}, 0}}, t0 + 5s);
  EXPECT_FALSE(l.silent(fast, ttl, t0 + 6s));
  EXPECT_TRUE(l.silent(fast, ttl, t0 + 7100ms));
  // Gone from the table after it was seen (swept, or left): silent at once.
  l.update({{fast, started + 3'600'000, started + 3'602'000, {}, 0}}, t0 + 7200ms);
  l.update({}, t0 + 7300ms);
  EXPECT_TRUE(l.silent(fast, ttl, t0 + 7300ms));
  // Never seen, or this node itself: never silent.
  EXPECT_FALSE(l.silent("http://127.0.0.1:9999/dev", ttl, t0 + 1h));
  EXPECT_FALSE(l.silent(self, ttl, t0 + 1h));
}

}  // namespace
}  // namespace cluster
