#include "gateway/session_phase.hpp"

#include <gtest/gtest.h>

namespace {
using gateway::Phase;

constexpr Phase all[] = {Phase::handshaking, Phase::open, Phase::closing, Phase::closed};

TEST(SessionPhase, AllowsOnlyTheForwardMoves) {
  // The whole table: anything not listed here is refused.
  const std::pair<Phase, Phase> allowed[] = {
      {Phase::handshaking, Phase::open},  // the 101 was written
      {Phase::handshaking, Phase::closed},  // refused, or the 101 could not be written
      {Phase::open, Phase::closing},     // a close frame queued (ours or the peer's echo)
      {Phase::open, Phase::closed},      // the connection was lost without a close frame
      {Phase::closing, Phase::closed},   // the socket is gone
  };
  for (Phase from : all)
    for (Phase to : all) {
      bool expected = false;
      for (auto [f, t] : allowed) expected |= (f == from && t == to);
      EXPECT_EQ(gateway::transition_allowed(from, to), expected)
          << gateway::phase_name(from) << " -> " << gateway::phase_name(to);
    }
}

TEST(SessionPhase, MachineActsOnceAndNeverGoesBack) {
  gateway::PhaseMachine m;
  EXPECT_TRUE(m.is(Phase::handshaking));
  EXPECT_FALSE(m.advance(Phase::closing));  // no close handshake before the 101
  EXPECT_TRUE(m.advance(Phase::open));
  EXPECT_TRUE(m.advance(Phase::closing));
  EXPECT_FALSE(m.advance(Phase::closing));  // a second close (sweep and peer racing) is a no-op
  EXPECT_FALSE(m.advance(Phase::open));
  EXPECT_TRUE(m.advance(Phase::closed));
  for (Phase p : all) EXPECT_FALSE(m.advance(p)) << gateway::phase_name(p);
  EXPECT_TRUE(m.is(Phase::closed));
}

}  // namespace
