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

  std::vector<core::result<void>> post(const apigw::Recipients& to, const apigw::SharedFrame& data,
                                       apigw::PostOptions options) override {
    std::vector<core::result<void>> out;
    for (const auto& id : to.ids) {
      posts.emplace_back(id, data);
      lingered.push_back(options.linger);
      out.push_back(gone.count(id) ? core::result<void>(core::errc::gone) : core::result<void>());
    }
    return out;
  }
  std::vector<bool> lingered;
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

TEST(PostOne, IsAPostToOneRecipientWithItsOptions) {
  RecordingConnections c;
  c.gone = {"b="};
  const auto frame = apigw::make_frame("x");
  EXPECT_TRUE(c.post_one("a=", frame));
  EXPECT_EQ(c.post_one("b=", frame, {.linger = true}).error(), core::errc::gone);
  ASSERT_EQ(c.posts.size(), 2u);
  EXPECT_EQ(c.posts[0].first, "a=");
  EXPECT_EQ(c.posts[1].first, "b=");
  EXPECT_EQ(c.posts[1].second.get(), frame.get()) << "the same bytes, not a copy";
  EXPECT_EQ(c.lingered, (std::vector<bool>{false, true}));
}

TEST(Recipients, GatewaysAreOptionalAndPerId) {
  const std::vector<std::string> ids{"a=", "b="}, gateways{"", "http://node-2/dev"};
  const apigw::Recipients plain{ids};
  EXPECT_EQ(plain.gateway_of(1), nullptr);
  EXPECT_EQ(plain.version, 0u);  // an ad hoc list unless its owner says which
  const apigw::Recipients routed{ids, gateways};
  ASSERT_NE(routed.gateway_of(1), nullptr);
  EXPECT_EQ(*routed.gateway_of(1), "http://node-2/dev");
  EXPECT_EQ(*routed.gateway_of(0), "");
}

TEST(Connections, MaxPostBytesIsTheAwsLimit) { EXPECT_EQ(apigw::max_post_bytes, 131072u); }

}  // namespace
