#include "gateway/loop_inbox.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <thread>
#include <utility>

namespace gateway {
namespace {

// Records what the loop delivers and when it flushes (as WsSession owes its flushes).
struct Recorder final : Deliverable {
  std::vector<std::string> got;
  int flushes = 0;
  std::size_t written = 0;  // frames got by the last flush
  bool owed = false, lingering_owed = false;
  Owed deliver(apigw::SharedFrame f, bool may_linger) override {
    got.push_back(*f);
    if (owed) return Owed::nothing;
    if (!may_linger) {
      owed = true;
      return Owed::flush;
    }
    return std::exchange(lingering_owed, true) ? Owed::nothing : Owed::lingering_flush;
  }
  void flush() override {
    owed = lingering_owed = false;
    ++flushes;
    written = got.size();
  }
};

// One post of one frame, handed over at once.
void post(LoopInbox& inbox, std::shared_ptr<Deliverable> to, std::string frame,
          apigw::PostOptions options = {}) {
  Outbox out(options);
  out.add(inbox, std::move(to), apigw::make_frame(std::move(frame)));
}

TEST(LoopInbox, PostsReachTheLoopInOrder) {
  boost::asio::io_context loop;
  LoopInbox inbox(loop);
  auto r = std::make_shared<Recorder>();
  for (auto s : {"1", "2", "3"}) post(inbox, r, s);
  loop.run();
  EXPECT_EQ(r->got, (std::vector<std::string>{"1", "2", "3"}));
}

TEST(LoopInbox, AConnectionGivenSeveralFramesInADrainIsFlushedOnce) {
  boost::asio::io_context loop;
  LoopInbox inbox(loop);
  auto a = std::make_shared<Recorder>(), b = std::make_shared<Recorder>();
  {
    Outbox out({});
    for (int i = 0; i < 16; ++i) {
      out.add(inbox, a, apigw::make_frame("a" + std::to_string(i)));
      out.add(inbox, b, apigw::make_frame("b" + std::to_string(i)));
    }
  }
  loop.run();
  EXPECT_EQ(a->got.size(), 16u);
  EXPECT_EQ(a->flushes, 1);
  EXPECT_EQ(b->flushes, 1);
  // A later drain flushes again.
  post(inbox, a, "again");
  loop.restart();
  loop.run();
  EXPECT_EQ(a->flushes, 2);
}

TEST(LoopInbox, AnOutboxHoldsItsFramesUntilItEnds) {
  boost::asio::io_context loop;
  LoopInbox first(loop), second(loop);
  auto a = std::make_shared<Recorder>(), b = std::make_shared<Recorder>();
  {
    Outbox out({});
    out.add(first, a, apigw::make_frame("a1"));
    out.add(second, b, apigw::make_frame("b1"));
    out.add(first, a, apigw::make_frame("a2"));
    EXPECT_EQ(loop.poll(), 0u);  // nothing handed over, nothing to run
  }
  loop.restart();
  EXPECT_EQ(loop.poll(), 2u);  // one drain per inbox
  EXPECT_EQ(a->got, (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(b->got, (std::vector<std::string>{"b1"}));
}

TEST(LoopInbox, OutboxesOnSeveralThreadsLoseNothing) {
  boost::asio::io_context loop;
  LoopInbox inbox(loop);
  constexpr int threads = 4, batches = 200, per_batch = 50;
  std::vector<std::shared_ptr<Recorder>> to;
  for (int t = 0; t < threads; ++t) to.push_back(std::make_shared<Recorder>());
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      for (int k = 0; k < batches; ++k) {
        Outbox out({});
        for (int i = 0; i < per_batch; ++i)
          out.add(inbox, to[t], apigw::make_frame(std::to_string(k * per_batch + i)));
      }
    });
  }
  std::thread runner([&] {
    auto guard = boost::asio::make_work_guard(loop);
    for (auto& t : ts) t.join();
    guard.reset();
  });
  loop.run();
  runner.join();
  loop.restart();
  loop.run();
  for (int t = 0; t < threads; ++t) {
    ASSERT_EQ(to[t]->got.size(), static_cast<std::size_t>(batches * per_batch));
    for (int i = 0; i < batches * per_batch; ++i) ASSERT_EQ(to[t]->got[i], std::to_string(i));
  }
}

TEST(LoopInbox, LingeringFramesWaitForTheTimerAndShareOneFlush) {
  boost::asio::io_context loop;
  LoopInbox inbox(loop);
  auto a = std::make_shared<Recorder>();
  const auto start = std::chrono::steady_clock::now();
  post(inbox, a, "join 1", {.linger = true});
  loop.poll();  // the drain: queued, not flushed
  EXPECT_EQ(a->got.size(), 1u);
  EXPECT_EQ(a->flushes, 0);
  post(inbox, a, "join 2", {.linger = true});
  loop.run();  // until the linger timer has flushed both
  EXPECT_GE(std::chrono::steady_clock::now() - start, LoopInbox::linger);
  EXPECT_EQ(a->got, (std::vector<std::string>{"join 1", "join 2"}));
  EXPECT_EQ(a->flushes, 1);
  EXPECT_EQ(a->written, 2u);
}

TEST(LoopInbox, AFrameThatCannotWaitFlushesTheLingeringOnesWithIt) {
  boost::asio::io_context loop;
  LoopInbox inbox(loop);
  auto a = std::make_shared<Recorder>(), b = std::make_shared<Recorder>();
  {
    Outbox presence({.linger = true});
    presence.add(inbox, a, apigw::make_frame("join"));
    presence.add(inbox, b, apigw::make_frame("join"));
  }
  loop.poll();
  EXPECT_EQ(a->flushes + b->flushes, 0);
  post(inbox, a, "message");
  loop.poll();  // at once, not after the linger
  EXPECT_EQ(a->flushes, 1);
  EXPECT_EQ(a->written, 2u);
  EXPECT_EQ(b->flushes, 0);
  loop.run();  // the timer: b's flush; a's again is a no-op flush of nothing new
  EXPECT_EQ(b->flushes, 1);
  EXPECT_EQ(a->got, (std::vector<std::string>{"join", "message"}));
}

TEST(LoopInbox, ALingeringFrameAfterAnUrgentOneInTheSameDrainLeavesWithIt) {
  boost::asio::io_context loop;
  LoopInbox inbox(loop);
  auto a = std::make_shared<Recorder>();
  {
    // Two posts handed over before the loop drains: one urgent, one that may wait.
    Outbox message({}), presence({.linger = true});
    message.add(inbox, a, apigw::make_frame("message"));
    presence.add(inbox, a, apigw::make_frame("join"));
    message.hand_over();
  }
  EXPECT_EQ(loop.poll(), 1u);  // the drain; no timer armed
  EXPECT_EQ(a->flushes, 1);
  EXPECT_EQ(a->written, 2u);
  EXPECT_EQ(loop.run(), 0u);
}

}  // namespace
}  // namespace gateway
