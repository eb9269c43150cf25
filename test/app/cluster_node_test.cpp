#include "app/cluster_node.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace app {
namespace {

TEST(DefaultNodeEndpoint, WildcardBindsAreReachedOnLoopback) {
  EXPECT_EQ(default_node_endpoint("0.0.0.0", 8080, "dev"), "http://127.0.0.1:8080/dev");
  EXPECT_EQ(default_node_endpoint("::", 9000, "prod"), "http://127.0.0.1:9000/prod");
  EXPECT_EQ(default_node_endpoint("10.0.0.5", 8080, "dev"), "http://10.0.0.5:8080/dev");
  EXPECT_EQ(default_node_endpoint("fd00::5", 8080, "dev"), "http://[fd00::5]:8080/dev");
}

struct Credentials : ::testing::Test {
  std::filesystem::path file = std::filesystem::temp_directory_path() /
                               ("parley-keys-" + std::to_string(::getpid()));
  void write(const std::string& text) { std::ofstream(file) << text; }
  void TearDown() override {
    std::filesystem::remove(file);
    ::unsetenv("PARLEY_MANAGEMENT_ACCESS_KEY_ID");
    ::unsetenv("PARLEY_MANAGEMENT_SECRET_ACCESS_KEY");
  }
};

TEST_F(Credentials, TheFirstKeyOfTheFileSigns) {
  write("# node keys\n\nAKIDONE:secret/one+x\r\nAKIDTWO:two\n");
  auto c = management_credentials(file.string());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKIDONE");
  EXPECT_EQ(c->secret_access_key, "secret/one+x");
}

TEST_F(Credentials, ABadFileIsAClearError) {
  EXPECT_THROW(management_credentials((file / "missing").string()), std::invalid_argument);
  write("no colon here\n");
  EXPECT_THROW(management_credentials(file.string()), std::invalid_argument);
  write(":secret\n");
  EXPECT_THROW(management_credentials(file.string()), std::invalid_argument);
  write("# only a comment\n");
  EXPECT_THROW(management_credentials(file.string()), std::invalid_argument);
}

TEST_F(Credentials, ElseTheEnvironmentElseUnsigned) {
  EXPECT_FALSE(management_credentials(""));
  ::setenv("PARLEY_MANAGEMENT_ACCESS_KEY_ID", "AKIDENV", 1);
  EXPECT_FALSE(management_credentials(""));  // both are needed
  ::setenv("PARLEY_MANAGEMENT_SECRET_ACCESS_KEY", "envsecret", 1);
  auto c = management_credentials("");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKIDENV");
  EXPECT_EQ(c->secret_access_key, "envsecret");
}

}  // namespace
}  // namespace app
