// The loop's frame deadlines: one timer for all, exact times, in order, disarmed ones silent.
#include "gateway/loop_sweep.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(LoopSweep, DeadlinesExpireInOrderOfTimeAndDisarmedOnesNever) {
  boost::asio::io_context loop;
  gateway::LoopSweep sweep(loop, 1h);
  const auto t0 = Clock::now();
  std::vector<std::string> fired;
  std::vector<Clock::duration> at;  // when each fired, after t0
  auto record = [&](std::string name) {
    return [&, name] {
      fired.push_back(name);
      at.push_back(Clock::now() - t0);
    };
  };
  gateway::FrameDeadline a(record("a")), b(record("b")), c(record("c")), d(record("d"));
  sweep.arm_deadline(a, t0 + 200ms);
  sweep.arm_deadline(b, t0 + 20ms);  // earlier than one armed before: the timer moves up
  sweep.arm_deadline(c, t0 + 250ms);
  sweep.arm_deadline(d, t0 + 100ms);
  d.disarm();  // its frame was answered in time
  EXPECT_FALSE(d.armed());
  loop.run_for(600ms);
  EXPECT_EQ(fired, (std::vector<std::string>{"b", "a", "c"}));
  ASSERT_EQ(at.size(), 3u);
  EXPECT_GE(at[0], 20ms);  // none before its time
  EXPECT_LT(at[0], 150ms);  // nor long after: "b" did not wait for "a"'s timer
  EXPECT_GE(at[1], 200ms);
  EXPECT_GE(at[2], 250ms);
  EXPECT_FALSE(a.armed());
}

TEST(LoopSweep, ADeadlineLeavesWithItsOwnerAndOutlivesTheSweep) {
  boost::asio::io_context loop;
  int fired = 0;
  auto sweep = std::make_unique<gateway::LoopSweep>(loop, 1h);
  {
    gateway::FrameDeadline gone([&] { ++fired; });
    sweep->arm_deadline(gone, Clock::now() + 5ms);
  }  // destroyed while armed: unlinked, never called
  gateway::FrameDeadline kept([&] { ++fired; });
  sweep->arm_deadline(kept, Clock::now() + 1h);
  loop.run_for(20ms);
  EXPECT_EQ(fired, 0);
  sweep.reset();  // a loop's sweep goes before the frames still waiting on its loop
  EXPECT_FALSE(kept.armed());
}

}  // namespace
