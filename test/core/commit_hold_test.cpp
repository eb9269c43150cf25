// core::OpenBatch and core::CommitHold: effects held until every batch written in has
// committed, dropped when one was rolled back, released at once when nothing was written.
#include "core/commit_hold.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

struct CountingCommitter final : core::BatchCommitter {
  int commits = 0;
  void commit_open() override { ++commits; }
};

TEST(OpenBatchTest, WhatWaitsRunsAtTheSettleInOrderAndLateWaitersRunAtOnce) {
  core::OpenBatch batch;
  std::vector<std::string> ran;
  batch.when_settled([&](bool ok) { ran.push_back(ok ? "a:ok" : "a:failed"); });
  batch.when_settled([&](bool ok) { ran.push_back(ok ? "b:ok" : "b:failed"); });
  EXPECT_TRUE(ran.empty());
  EXPECT_FALSE(batch.settled());
  batch.settle(true);
  EXPECT_EQ(ran, (std::vector<std::string>{"a:ok", "b:ok"}));
  batch.settle(false);  // once only
  batch.when_settled([&](bool ok) { ran.push_back(ok ? "c:ok" : "c:failed"); });
  EXPECT_EQ(ran, (std::vector<std::string>{"a:ok", "b:ok", "c:ok"}));
}

TEST(CommitHoldTest, NothingWrittenReleasesAtOnce) {
  core::CommitHold hold;
  EXPECT_FALSE(hold.waiting());
  std::optional<bool> released;
  hold.release([&](bool ok) { released = ok; });
  ASSERT_TRUE(released);
  EXPECT_TRUE(*released);
}

TEST(CommitHoldTest, EffectsWaitForEveryBatchWrittenInThenRunBeforeTheRelease) {
  CountingCommitter committer;
  auto first = std::make_shared<core::OpenBatch>();
  auto second = std::make_shared<core::OpenBatch>();
  core::CommitHold hold;
  hold.wrote(first, committer);
  hold.wrote(first, committer);  // the same batch twice counts once
  hold.wrote(second, committer);
  EXPECT_TRUE(hold.waiting());
  EXPECT_EQ(hold.committers().size(), 1u);
  std::vector<std::string> ran;
  hold.hold([&] { ran.push_back("post 1"); });
  hold.hold([&] { ran.push_back("post 2"); });
  hold.release([&](bool ok) { ran.push_back(ok ? "released" : "failed"); });
  first->settle(true);
  EXPECT_TRUE(ran.empty()) << "effects ran before the second batch committed";
  // Settled from another thread, as a pool thread's commit does.
  std::thread([&] { second->settle(true); }).join();
  EXPECT_EQ(ran, (std::vector<std::string>{"post 1", "post 2", "released"}));
}

TEST(CommitHoldTest, ABatchRolledBackDropsTheEffects) {
  CountingCommitter committer;
  auto first = std::make_shared<core::OpenBatch>();
  auto second = std::make_shared<core::OpenBatch>();
  core::CommitHold hold;
  hold.wrote(first, committer);
  hold.wrote(second, committer);
  bool posted = false;
  hold.hold([&] { posted = true; });
  std::optional<bool> released;
  hold.release([&](bool ok) { released = ok; });
  second->settle(false);
  first->settle(true);
  ASSERT_TRUE(released);
  EXPECT_FALSE(*released);
  EXPECT_FALSE(posted) << "a post of an invocation whose write was rolled back went out";
}

TEST(CommitHoldTest, AScopeMakesItTheThreadsCurrentHoldAndRestoresThePrevious) {
  EXPECT_EQ(core::CommitHold::current(), nullptr);
  core::CommitHold outer, inner;
  {
    core::CommitHold::Scope a(outer);
    EXPECT_EQ(core::CommitHold::current(), &outer);
    {
      core::CommitHold::Scope b(inner);
      EXPECT_EQ(core::CommitHold::current(), &inner);
      std::thread([] { EXPECT_EQ(core::CommitHold::current(), nullptr); }).join();
    }
    EXPECT_EQ(core::CommitHold::current(), &outer);
  }
  EXPECT_EQ(core::CommitHold::current(), nullptr);
}

}  // namespace
