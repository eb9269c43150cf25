// The loop's frame deadlines: one timer for all, exact times, in order, disarmed ones silent;
// and the periodic pass over the loop's connections, in slices.
#include "gateway/loop_sweep.hpp"

#include <boost/asio/post.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
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

// The timer's pass over many connections goes in slices, and what the loop has to do meanwhile
// (a frame read, an inbox drained) runs between them instead of waiting for the whole pass.
TEST(LoopSweep, APassGoesInSlicesWithTheLoopsOtherWorkBetween) {
  boost::asio::io_context loop;
  std::vector<int> log;  // ids swept, and -1 where the loop's other work ran
  bool posted = false;
  // The first member swept posts other work to the loop: it must run before the pass ends.
  struct Member final : gateway::Sweepable {
    Member(boost::asio::io_context& loop, std::vector<int>& log, bool& posted, int id)
        : loop(loop), log(log), posted(posted), id(id) {}
    void sweep(Clock::time_point) override {
      log.push_back(id);
      if (!posted) boost::asio::post(loop, [&log = log] { log.push_back(-1); });
      posted = true;
    }
    boost::asio::io_context& loop;
    std::vector<int>& log;
    bool& posted;
    int id;
  };
  gateway::LoopSweep sweep(loop, 10ms);
  constexpr int kMembers = 3 * static_cast<int>(gateway::LoopSweep::slice) + 10;
  std::vector<std::shared_ptr<Member>> members;
  for (int i = 0; i < kMembers; ++i) {
    members.push_back(std::make_shared<Member>(loop, log, posted, i));
    sweep.add(members.back());
  }
  sweep.start();
  while (std::count_if(log.begin(), log.end(), [](int i) { return i >= 0; }) < kMembers)
    loop.run_one_for(1s);
  sweep.stop();
  // Every member swept once in the pass, and the posted work ran inside it, not after it.
  std::vector<int> swept;
  std::size_t marker = log.size();
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (log[i] < 0) marker = i;
    else swept.push_back(log[i]);
  }
  std::sort(swept.begin(), swept.end());
  ASSERT_EQ(swept.size(), static_cast<std::size_t>(kMembers));
  for (int i = 0; i < kMembers; ++i) EXPECT_EQ(swept[i], i);
  ASSERT_LT(marker, log.size()) << "the posted work never ran";
  EXPECT_LT(marker, log.size() - gateway::LoopSweep::slice)
      << "the posted work waited for the whole pass";
}

}  // namespace
