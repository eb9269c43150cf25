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
  ASSERT_TRUE(connections.post_one("a=", frame));
  EXPECT_EQ(metrics.posts_ok.value(), ok_before + 1);
  ASSERT_EQ(a->frames.size(), 1u);
  EXPECT_EQ(a->frames[0], frame);  // the same bytes, not a copy
}

TEST_F(LocalConnectionsTest, UnknownIdIsGone) {
  const auto gone_before = metrics.posts_gone.value();
  auto r = connections.post_one("zz=", apigw::make_frame("hi"));
  EXPECT_EQ(metrics.posts_gone.value(), gone_before + 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), core::errc::gone);
  EXPECT_EQ(connections.get("zz=").error(), core::errc::gone);
  EXPECT_EQ(connections.remove("zz=").error(), core::errc::gone);
}

TEST_F(LocalConnectionsTest, APostToAClosingConnectionIsCountedGoneNotThrottled) {
  a->closing = true;
  const auto gone = metrics.posts_gone.value(), throttled = metrics.posts_throttled.value();
  auto r = connections.post_one("a=", apigw::make_frame("hi"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), core::errc::gone);
  EXPECT_EQ(metrics.posts_gone.value(), gone + 1);
  EXPECT_EQ(metrics.posts_throttled.value(), throttled);
}

TEST_F(LocalConnectionsTest, OverSizeIsPayloadTooLarge) {
  EXPECT_TRUE(connections.post_one("a=", apigw::make_frame(std::string(131072, 'x'))));
  auto r = connections.post_one("a=", apigw::make_frame(std::string(131073, 'x')));
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
  const auto r = connections.post({ids}, frame);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_TRUE(r[0]);
  EXPECT_EQ(r[1].error(), core::errc::gone);
  EXPECT_EQ(r[2].error(), core::errc::limit_exceeded);
  EXPECT_TRUE(r[3]);
  EXPECT_EQ(a->frames, (std::vector<apigw::SharedFrame>{frame, frame}));
  EXPECT_EQ(metrics.posts_ok.value(), ok + 2);
  EXPECT_EQ(metrics.posts_gone.value(), gone + 1);
  EXPECT_EQ(metrics.posts_throttled.value(), throttled + 1);
  const auto big = connections.post({ids}, apigw::make_frame(std::string(131073, 'x')));
  for (const auto& x : big) EXPECT_EQ(x.error(), core::errc::payload_too_large);
}

TEST_F(LocalConnectionsTest, FullQueueIsLimitExceeded) {
  a->full = true;
  EXPECT_EQ(connections.post_one("a=", apigw::make_frame("x")).error(), core::errc::limit_exceeded);
}

TEST_F(LocalConnectionsTest, PostManyAnswersEachId) {
  auto b = std::make_shared<FakeSession>("b=");
  registry.add(b);
  std::vector<std::string> ids = {"a=", "gone=", "b="};
  auto results = connections.post({ids}, apigw::make_frame("x"));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0]);
  EXPECT_EQ(results[1].error(), core::errc::gone);
  EXPECT_TRUE(results[2]);
  EXPECT_EQ(b->frames.size(), 1u);
}

// A room's member list at one version, as broadcast() posts it.
apigw::Recipients room_list(const std::vector<std::string>& ids, std::uint64_t version) {
  apigw::Recipients to{ids};
  to.list = "lobby";
  to.version = version;
  return to;
}

TEST_F(LocalConnectionsTest, ARoomListIsRememberedOnlyWhenAllOfItWasFound) {
  auto b = std::make_shared<FakeSession>("b=");
  registry.add(b);
  const std::vector<std::string> missing{"a=", "late="};
  auto r = connections.post(room_list(missing, 1), apigw::make_frame("1"));
  EXPECT_TRUE(r[0]);
  EXPECT_EQ(r[1].error(), core::errc::gone);
  EXPECT_EQ(connections.resolved_lists(), 0u);  // "late=" may be a $connect still running
  auto late = std::make_shared<FakeSession>("late=");
  registry.add(late);
  r = connections.post(room_list(missing, 1), apigw::make_frame("2"));
  EXPECT_TRUE(r[1]);
  EXPECT_EQ(connections.resolved_lists(), 1u);
  EXPECT_EQ(late->frames.size(), 1u);
  // An ad hoc list (no version) is never remembered.
  (void)connections.post({missing}, apigw::make_frame("3"));
  EXPECT_EQ(connections.resolved_lists(), 1u);
}

TEST_F(LocalConnectionsTest, ARememberedListReachesItsSessionsWithoutALookupAndSeesThemGo) {
  auto b = std::make_shared<FakeSession>("b=");
  registry.add(b);
  const std::vector<std::string> ids{"a=", "b="};
  ASSERT_TRUE(connections.post(room_list(ids, 7), apigw::make_frame("1"))[1]);
  // Out of the registry but still alive (its $disconnect running): the remembered session is
  // reached, so no id was looked up; a post to the ids alone finds it gone.
  registry.remove("b=");
  EXPECT_TRUE(connections.post(room_list(ids, 7), apigw::make_frame("2"))[1]);
  EXPECT_EQ(b->frames.size(), 2u);
  EXPECT_EQ(connections.post({ids}, apigw::make_frame("x"))[1].error(), core::errc::gone);
  // Dropped by everyone: gone through the remembered list as through a lookup.
  std::weak_ptr<FakeSession> held = b;
  b.reset();
  ASSERT_TRUE(held.expired());
  auto r = connections.post(room_list(ids, 7), apigw::make_frame("3"));
  EXPECT_TRUE(r[0]);
  EXPECT_EQ(r[1].error(), core::errc::gone);
  // A closing session answers gone too.
  a->closing = true;
  EXPECT_EQ(connections.post(room_list(ids, 7), apigw::make_frame("4"))[0].error(), core::errc::gone);
}

TEST_F(LocalConnectionsTest, ANewVersionOfAListIsLookedUpAgainAndAnOlderOneDoesNotReplaceIt) {
  auto b = std::make_shared<FakeSession>("b="), c = std::make_shared<FakeSession>("c=");
  registry.add(b);
  registry.add(c);
  const std::vector<std::string> two{"a=", "b="}, three{"a=", "b=", "c="};
  ASSERT_TRUE(connections.post(room_list(two, 1), apigw::make_frame("1"))[1]);
  EXPECT_TRUE(connections.post(room_list(three, 2), apigw::make_frame("2"))[2]);
  EXPECT_EQ(c->frames.size(), 1u);
  // A fan-out still holding version 1 finishes after one with version 2: version 2 stays.
  ASSERT_TRUE(connections.post(room_list(two, 1), apigw::make_frame("3"))[1]);
  registry.remove("c=");  // only the remembered version 2 still reaches c
  EXPECT_TRUE(connections.post(room_list(three, 2), apigw::make_frame("4"))[2]);
  EXPECT_EQ(c->frames.size(), 2u);
  // Another adapter (another node's registry) has its own: it finds nobody.
  ConnectionRegistry other_registry;
  LocalConnections other{other_registry, 131072, metrics};
  EXPECT_EQ(other.post(room_list(three, 2), apigw::make_frame("5"))[0].error(), core::errc::gone);
}

TEST_F(LocalConnectionsTest, LingerTravelsWithThePostItWasGivenTo) {
  auto b = std::make_shared<FakeSession>("b=");
  registry.add(b);
  const std::vector<std::string> ids{"a=", "b="};
  ASSERT_TRUE(connections.post({ids}, apigw::make_frame("join"), {.linger = true})[1]);
  ASSERT_TRUE(connections.post({ids}, apigw::make_frame("message"))[1]);
  ASSERT_TRUE(connections.post_one("a=", apigw::make_frame("reply")));
  EXPECT_EQ(a->lingered, (std::vector<bool>{true, false, false}));
  EXPECT_EQ(b->lingered, (std::vector<bool>{true, false}));
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
