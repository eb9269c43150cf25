#include "core/log.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace plog = core::log;

// Restores the info level whatever a test set.
class Log : public ::testing::Test {
 protected:
  void TearDown() override { plog::set_level(plog::level::info); }

  // Lines written to stderr while running f.
  template <class F>
  static std::vector<std::string> captured(F f) {
    ::testing::internal::CaptureStderr();
    f();
    std::istringstream in(::testing::internal::GetCapturedStderr());
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
};

TEST_F(Log, ParsesLevelNamesDefaultingToInfo) {
  EXPECT_EQ(plog::parse_level("debug"), plog::level::debug);
  EXPECT_EQ(plog::parse_level("info"), plog::level::info);
  EXPECT_EQ(plog::parse_level("warn"), plog::level::warn);
  EXPECT_EQ(plog::parse_level("error"), plog::level::error);
  EXPECT_EQ(plog::parse_level(""), plog::level::info);
  EXPECT_EQ(plog::parse_level("verbose"), plog::level::info);
}

TEST_F(Log, EnabledFollowsTheLevel) {
  plog::set_level(plog::level::warn);
  EXPECT_FALSE(plog::enabled(plog::level::debug));
  EXPECT_FALSE(plog::enabled(plog::level::info));
  EXPECT_TRUE(plog::enabled(plog::level::warn));
  EXPECT_TRUE(plog::enabled(plog::level::error));
  plog::set_level(plog::level::debug);
  EXPECT_TRUE(plog::enabled(plog::level::debug));
}

TEST_F(Log, WritesOneJsonObjectPerLine) {
  const auto lines = captured([] { plog::info("hello \"there\"", {{"connectionId", "abc="}, {"n", 3}}); });
  ASSERT_EQ(lines.size(), 1u);
  const auto v = boost::json::parse(lines[0]);
  const auto& o = v.as_object();
  EXPECT_EQ(o.at("level"), "INFO");
  EXPECT_EQ(o.at("msg"), "hello \"there\"");
  EXPECT_EQ(o.at("connectionId"), "abc=");
  EXPECT_EQ(o.at("n"), 3);
  EXPECT_TRUE(std::regex_match(std::string(o.at("ts").as_string()),
                               std::regex(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)")));
}

TEST_F(Log, NamesEachLevel) {
  plog::set_level(plog::level::debug);
  const auto lines = captured([] {
    plog::debug("d");
    plog::info("i");
    plog::warn("w");
    plog::error("e");
  });
  ASSERT_EQ(lines.size(), 4u);
  const char* names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(boost::json::parse(lines[i]).as_object().at("level"), names[i]);
  }
}

TEST_F(Log, DropsLinesBelowTheLevel) {
  plog::set_level(plog::level::error);
  const auto lines = captured([] {
    plog::info("quiet");
    plog::warn("quiet");
    plog::error("loud");
  });
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(boost::json::parse(lines[0]).as_object().at("msg"), "loud");
}

}  // namespace
