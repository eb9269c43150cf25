// The inspector's per-page buffer: bounded, drops counted and reported once, the writer woken
// only when it waits.
#include "gateway/inspect_viewer.hpp"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

using gateway::InspectViewer;

TEST(InspectViewer, KeepsWhatFitsAndCountsWhatIsDropped) {
  std::atomic<std::int64_t> tally{0};
  InspectViewer v(100, &tally);
  EXPECT_TRUE(v.push(std::string(60, 'a')));
  EXPECT_TRUE(v.push(std::string(40, 'b')));
  EXPECT_FALSE(v.push("c"));  // 101 bytes would not fit
  EXPECT_FALSE(v.push(std::string(50, 'd')));
  EXPECT_EQ(v.buffered(), 100u);
  EXPECT_EQ(tally.load(), 100);
  auto b = v.take();
  EXPECT_EQ(b.text, std::string(60, 'a') + std::string(40, 'b'));
  EXPECT_EQ(b.dropped, 2u);
  EXPECT_EQ(v.buffered(), 0u);
  EXPECT_EQ(tally.load(), 0);
  // Reported once: the next batch starts afresh.
  EXPECT_TRUE(v.push("e"));
  b = v.take();
  EXPECT_EQ(b.text, "e");
  EXPECT_EQ(b.dropped, 0u);
}

TEST(InspectViewer, NeverHoldsMoreThanItsBoundUnderConcurrentPublishers) {
  InspectViewer v(4096);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        v.push(std::string(100, 'x'));
        ASSERT_LE(v.buffered(), 4096u);
      }
    });
  for (auto& t : threads) t.join();
  auto b = v.take();
  EXPECT_EQ(b.text.size(), 4000u);  // 40 messages of 100 bytes fit in 4096
  EXPECT_EQ(b.dropped, 20000u - 40u);
}

TEST(InspectViewer, WakesTheWriterOnlyWhenItWaits) {
  InspectViewer v(1000);
  int wakes = 0;
  v.on_wake([&] { ++wakes; });
  v.push("a");  // the writer has not looked yet: no wake needed
  EXPECT_EQ(wakes, 0);
  EXPECT_EQ(v.take().text, "a");
  EXPECT_TRUE(v.take().text.empty());  // now it waits
  v.push("b");
  v.push("c");
  EXPECT_EQ(wakes, 1);  // one wake for the first push after it began waiting
  EXPECT_EQ(v.take().text, "bc");
}

TEST(InspectViewer, ReturnsItsBytesToTheTallyWhenDestroyed) {
  std::atomic<std::int64_t> tally{0};
  {
    InspectViewer v(1000, &tally);
    v.push("hello");
    EXPECT_EQ(tally.load(), 5);
  }
  EXPECT_EQ(tally.load(), 0);
}
