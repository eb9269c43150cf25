#include "bench/tracker.hpp"

#include <gtest/gtest.h>

namespace {

using bench::Tracker;

TEST(Tracker, AMessageToOneRoomCompletesWithItsMembers) {
  Tracker t(16, /*receivers=*/100);
  const auto seq = t.begin_send(/*sender=*/7, /*expected=*/10);
  t.mark_sent(seq, 1000);
  EXPECT_EQ(t.expected(seq), 10u);
  for (int i = 0; i < 9; ++i) EXPECT_FALSE(t.deliver(seq, 2000 + i).duplicate);
  EXPECT_EQ(t.missing(seq, seq + 1), 1u);
  const auto last = t.deliver(seq, 3000);
  EXPECT_TRUE(last.known);
  EXPECT_EQ(last.sender, 7u);
  EXPECT_EQ(last.latency_ns, 2000);
  EXPECT_FALSE(last.duplicate);
  EXPECT_EQ(t.missing(seq, seq + 1), 0u);
  const auto done = t.wait_complete(seq, std::chrono::steady_clock::now());
  ASSERT_TRUE(done);
  EXPECT_EQ(*done, 2000) << "complete when the 10th member had it, not the 100th receiver";
  EXPECT_TRUE(t.deliver(seq, 4000).duplicate) << "an 11th delivery is one too many";
  EXPECT_EQ(t.missing(seq, seq + 1), 0u) << "a duplicate does not make up for a missing one";
}

TEST(Tracker, WithoutACountAMessageExpectsEveryReceiver) {
  Tracker t(16, 3);
  const auto a = t.begin_send(0);
  const auto b = t.begin_send(0, 2);
  EXPECT_EQ(t.expected(a), 3u);
  t.deliver(a, 1);
  t.deliver(b, 1);
  EXPECT_EQ(t.missing(a, b + 1), 2u + 1u);
  t.set_receivers(1);
  EXPECT_EQ(t.missing(a, b + 1), 0u + 1u) << "the receivers are read when counting";
}

TEST(Tracker, ASlotReusedByANewerMessageForgetsTheOldOne) {
  Tracker t(2, 1);
  const auto old = t.begin_send(0, 5);
  t.begin_send(0, 5);
  t.begin_send(0, 5);  // takes old's slot
  EXPECT_FALSE(t.deliver(old, 1).known);
  EXPECT_EQ(t.received(old), 0u);
}

}  // namespace
