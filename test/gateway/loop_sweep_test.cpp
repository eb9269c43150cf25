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
  std::vector<std::string> fired;
  gateway::FrameDeadline a([&] { fired.push_back("a"); });
  gateway::FrameDeadline b([&] { fired.push_back("b"); });
  gateway::FrameDeadline c([&] { fired.push_back("c"); });
  gateway::FrameDeadline d([&] { fired.push_back("d"); });
  const auto t0 = Clock::now();
  sweep.arm_deadline(a, t0 + 40ms);
  sweep.arm_deadline(b, t0 + 20ms);  // earlier than one armed before: the timer moves up
  sweep.arm_deadline(c, t0 + 60ms);
  sweep.arm_deadline(d, t0 + 30ms);
  d.disarm();  // its frame was answered in time
  EXPECT_FALSE(d.armed());
  loop.run_for(30ms);
  EXPECT_EQ(fired, (std::vector<std::string>{"b"}));
  EXPECT_GE(Clock::now() - t0, 20ms);
  loop.run_for(100ms);
  EXPECT_EQ(fired, (std::vector<std::string>{"b", "a", "c"}));
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
