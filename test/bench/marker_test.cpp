#include "bench/marker.hpp"

#include <gtest/gtest.h>

namespace {

TEST(Marker, TextIsPaddedAndFoundAgain) {
  const bench::Marker m("abcd");
  const std::string t = m.text(1234567, 64);
  EXPECT_EQ(t.size(), 64u);
  EXPECT_EQ(t.substr(0, bench::Marker::size), "~Babcd0001234567~");
  EXPECT_EQ(m.find(t), 1234567u);
  EXPECT_EQ(m.text(5, 0).size(), bench::Marker::size) << "never shorter than the marker";
}

TEST(Marker, FoundInsideAJsonEvent) {
  const bench::Marker m("wxyz");
  const std::string event = R"({"type":"message","room":"bench","seq":7,"text":")" +
                            m.text(42, 30) + R"(","clientMsgId":"wxyz42"})";
  EXPECT_EQ(m.find(event), 42u);
}

TEST(Marker, IgnoresOtherRunsAndTruncatedMarkers) {
  const bench::Marker m("abcd"), other("zzzz");
  EXPECT_FALSE(m.find(other.text(1, 40)));
  EXPECT_FALSE(m.find("~Babcd00000"));
  EXPECT_FALSE(m.find("~Babcd00000x0001~"));
  EXPECT_FALSE(m.find(""));
}

}  // namespace
