#include "gateway/local_connections.hpp"

#include <gtest/gtest.h>

#include "fake_session.hpp"

namespace gateway {
namespace {

using testing::FakeSession;

struct LocalConnectionsTest : ::testing::Test {
  ConnectionRegistry registry;
  GatewayMetrics metrics{{}};
  LocalConnections connections{registry, 131072, metrics};
  std::shared_ptr<FakeSession> a = std::make_shared<FakeSession>("a=");
  void SetUp() override { registry.add(a); }
};

TEST_F(LocalConnectionsTest, PostQueuesTheSharedFrame) {
  auto frame = apigw::make_frame("hi");
  const auto ok_before = metrics.posts_ok.value();
  ASSERT_TRUE(connections.post("a=", frame));
  EXPECT_EQ(metrics.posts_ok.value(), ok_before + 1);
  ASSERT_EQ(a->frames.size(), 1u);
  EXPECT_EQ(a->frames[0], frame);  // the same bytes, not a copy
}

TEST_F(LocalConnectionsTest, UnknownIdIsGone) {
  const auto gone_before = metrics.posts_gone.value();
  auto r = connections.post("zz=", apigw::make_frame("hi"));
  EXPECT_EQ(metrics.posts_gone.value(), gone_before + 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), core::errc::gone);
  EXPECT_EQ(connections.get("zz=").error(), core::errc::gone);
  EXPECT_EQ(connections.remove("zz=").error(), core::errc::gone);
}

TEST_F(LocalConnectionsTest, APostToAClosingConnectionIsCountedGoneNotThrottled) {
  a->closing = true;
  const auto gone = metrics.posts_gone.value(), throttled = metrics.posts_throttled.value();
  auto r = connections.post("a=", apigw::make_frame("hi"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), core::errc::gone);
  EXPECT_EQ(metrics.posts_gone.value(), gone + 1);
  EXPECT_EQ(metrics.posts_throttled.value(), throttled);
}

TEST_F(LocalConnectionsTest, OverSizeIsPayloadTooLarge) {
  EXPECT_TRUE(connections.post("a=", apigw::make_frame(std::string(131072, 'x'))));
  auto r = connections.post("a=", apigw::make_frame(std::string(131073, 'x')));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), core::errc::payload_too_large);
}

TEST_F(LocalConnectionsTest, PostManyAnswersEachIdAndCountsEachResult) {
  auto b = std::make_shared<FakeSession>("b=");
  registry.add(b);
  b->full = true;
  auto frame = apigw::make_frame("hi");
  const auto ok = metrics.posts_ok.value(), gone = metrics.posts_gone.value(),
             throttled = metrics.posts_throttled.value();
  const std::vector<std::string> ids{"a=", "zz=", "b=", "a="};
  const auto r = connections.post_many(ids, frame);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_TRUE(r[0]);
  EXPECT_EQ(r[1].error(), core::errc::gone);
  EXPECT_EQ(r[2].error(), core::errc::limit_exceeded);
  EXPECT_TRUE(r[3]);
  EXPECT_EQ(a->frames, (std::vector<apigw::SharedFrame>{frame, frame}));
  EXPECT_EQ(metrics.posts_ok.value(), ok + 2);
  EXPECT_EQ(metrics.posts_gone.value(), gone + 1);
  EXPECT_EQ(metrics.posts_throttled.value(), throttled + 1);
  const auto big = connections.post_many(ids, apigw::make_frame(std::string(131073, 'x')));
  for (const auto& x : big) EXPECT_EQ(x.error(), core::errc::payload_too_large);
}

TEST_F(LocalConnectionsTest, FullQueueIsLimitExceeded) {
  a->full = true;
  EXPECT_EQ(connections.post("a=", apigw::make_frame("x")).error(), core::errc::limit_exceeded);
}

TEST_F(LocalConnectionsTest, PostManyAnswersEachId) {
  auto b = std::make_shared<FakeSession>("b=");
  registry.add(b);
  std::vector<std::string> ids = {"a=", "gone=", "b="};
  auto results = connections.post_many(ids, apigw::make_frame("x"));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0]);
  EXPECT_EQ(results[1].error(), core::errc::gone);
  EXPECT_TRUE(results[2]);
  EXPECT_EQ(b->frames.size(), 1u);
}

TEST_F(LocalConnectionsTest, PostListRemembersTheSessionsOnlyWhenAllWereFound) {
  auto b = std::make_shared<FakeSession>("b=");
  registry.add(b);
  core::Memo memo;
  const std::vector<std::string> missing{"a=", "late="};
  auto r = connections.post_list(missing, apigw::make_frame("1"), memo);
  EXPECT_TRUE(r[0]);
  EXPECT_EQ(r[1].error(), core::errc::gone);
  EXPECT_EQ(memo.get(), nullptr);  // "late=" may be a $connect still running: look again next time
  auto late = std::make_shared<FakeSession>("late=");
  registry.add(late);
  r = connections.post_list(missing, apigw::make_frame("2"), memo);
  EXPECT_TRUE(r[1]);
  EXPECT_NE(memo.get(), nullptr);
  EXPECT_EQ(late->frames.size(), 1u);
}

TEST_F(LocalConnectionsTest, PostListReachesTheRememberedSessionsAndSeesThemGo) {
  auto b = std::make_shared<FakeSession>("b=");
  registry.add(b);
  core::Memo memo;
  const std::vector<std::string> ids{"a=", "b="};
  ASSERT_TRUE(connections.post_list(ids, apigw::make_frame("1"), memo)[1]);
  ASSERT_NE(memo.get(), nullptr);
  // Out of the registry and dropped by everyone: the remembered session is gone, not reached.
  registry.remove("b=");
  std::weak_ptr<FakeSession> held = b;
  b.reset();
  ASSERT_TRUE(held.expired());
  auto r = connections.post_list(ids, apigw::make_frame("2"), memo);
  EXPECT_TRUE(r[0]);
  EXPECT_EQ(r[1].error(), core::errc::gone);
  EXPECT_EQ(a->frames.size(), 2u);
  // A closing session answers gone through the memo as through a lookup.
  a->closing = true;
  EXPECT_EQ(connections.post_list(ids, apigw::make_frame("3"), memo)[0].error(), core::errc::gone);
}

TEST_F(LocalConnectionsTest, PostListIgnoresAMemoOfAnotherListOrAdapter) {
  auto b = std::make_shared<FakeSession>("b=");
  registry.add(b);
  core::Memo memo;
  const std::vector<std::string> one{"a="};
  ASSERT_TRUE(connections.post_list(one, apigw::make_frame("1"), memo)[0]);
  // The owner changed the list without resetting the memo: a different size is not trusted.
  const std::vector<std::string> two{"a=", "b="};
  EXPECT_TRUE(connections.post_list(two, apigw::make_frame("2"), memo)[1]);
  EXPECT_EQ(b->frames.size(), 1u);
  // Another adapter (another node's registry) does not use this one's sessions.
  ConnectionRegistry other_registry;
  LocalConnections other{other_registry, 131072, metrics};
  EXPECT_EQ(other.post_list(two, apigw::make_frame("3"), memo)[0].error(), core::errc::gone);
  EXPECT_EQ(a->frames.size(), 2u);
}

TEST_F(LocalConnectionsTest, GetAndRemove) {
  auto info = connections.get("a=");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->connected_at, 1000);
  EXPECT_EQ(info->source_ip, "127.0.0.1");
  ASSERT_TRUE(connections.remove("a="));
  EXPECT_EQ(a->closed_with, 1000);
}

}  // namespace
}  // namespace gateway
