#include "apigw/connections.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace {

// Answers gone for ids in `gone`, records every post in order.
class RecordingConnections final : public apigw::Connections {
 public:
  std::set<std::string> gone;
  std::vector<std::pair<std::string, apigw::SharedFrame>> posts;

  core::result<void> post(const std::string& id, const apigw::SharedFrame& data) override {
    posts.emplace_back(id, data);
    if (gone.count(id)) return core::errc::gone;
    return {};
  }
  core::result<apigw::ConnectionInfo> get(const std::string&) override { return core::errc::gone; }
  core::result<void> remove(const std::string&) override { return core::errc::gone; }
};

TEST(MakeFrame, SharesOneImmutableString) {
  const auto frame = apigw::make_frame("{\"type\":\"pong\"}");
  ASSERT_TRUE(frame);
  EXPECT_EQ(*frame, "{\"type\":\"pong\"}");
  const apigw::SharedFrame copy = frame;
  EXPECT_EQ(copy.get(), frame.get());
}

TEST(PostMany, PostsToEachIdInOrderAndAnswersInTheSameOrder) {
  RecordingConnections c;
  c.gone = {"b="};
  const std::vector<std::string> ids{"a=", "b=", "c="};
  const auto frame = apigw::make_frame("x");
  const auto results = c.post_many(ids, frame);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0]);
  ASSERT_FALSE(results[1]);
  EXPECT_EQ(results[1].error(), core::errc::gone);
  EXPECT_TRUE(results[2]);
  ASSERT_EQ(c.posts.size(), 3u);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(c.posts[i].first, ids[i]);
    EXPECT_EQ(c.posts[i].second.get(), frame.get()) << "every recipient shares the same bytes";
  }
}

TEST(PostMany, NoIdsNoPosts) {
  RecordingConnections c;
  EXPECT_TRUE(c.post_many({}, apigw::make_frame("x")).empty());
  EXPECT_TRUE(c.posts.empty());
}

TEST(Connections, MaxPostBytesIsTheAwsLimit) { EXPECT_EQ(apigw::max_post_bytes, 131072u); }

}  // namespace
