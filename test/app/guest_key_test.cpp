#include "app/guest_key.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "app/security_options.hpp"
#include "app/serve_options.hpp"
#include "auth/guest_authorizer.hpp"

namespace {

namespace fs = std::filesystem;

class GuestKey : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("parley-guest-key-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    ::unsetenv("PARLEY_GUEST_KEY");
  }
  void TearDown() override {
    fs::remove_all(dir_);
    ::unsetenv("PARLEY_GUEST_KEY");
  }
  static app::Options options(std::vector<std::string> args) {
    return app::Options(app::serve_options(), args);
  }
  fs::path dir_;
};

TEST_F(GuestKey, IsCreatedOnceInTheDataDirWithMode0600AndReadAfterwards) {
  const auto first = app::guest_key(options({}), dir_ / "data");
  EXPECT_EQ(first.source, (dir_ / "data" / "guest.key").string());
  EXPECT_EQ(first.key.size(), 64u);  // 32 random bytes, hex
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "data" / "guest.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(app::guest_key(options({}), dir_ / "data").key, first.key) << "the same key after a restart";
  EXPECT_NE(app::guest_key(options({}), dir_ / "other").key, first.key) << "another data dir, another key";
}

TEST_F(GuestKey, AFileOrTheEnvironmentComesFirst) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "shared.key") << "a shared key of at least thirty-two bytes\n";
  const auto k = app::guest_key(options({"--guest-key-file", (dir_ / "shared.key").string()}), dir_ / "data");
  EXPECT_EQ(k.key, "a shared key of at least thirty-two bytes");
  EXPECT_FALSE(fs::exists(dir_ / "data" / "guest.key"));
  ::setenv("PARLEY_GUEST_KEY", "an environment key, thirty-two bytes+", 1);
  EXPECT_EQ(app::guest_key(options({}), dir_ / "data").source, "PARLEY_GUEST_KEY");
}

TEST_F(GuestKey, AShortOrUnreadableKeyRefusesToStart) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "short.key") << "short\n";
  EXPECT_THROW(app::guest_key(options({"--guest-key-file", (dir_ / "short.key").string()}), dir_), std::invalid_argument);
  EXPECT_THROW(app::guest_key(options({"--guest-key-file", (dir_ / "missing.key").string()}), dir_), std::invalid_argument);
  ::setenv("PARLEY_GUEST_KEY", "short", 1);
  EXPECT_THROW(app::guest_key(options({}), dir_), std::invalid_argument);
}

TEST_F(GuestKey, AnonymousModeGetsTheGuestAuthorizerAndJwtModeNone) {
  gateway::Config anonymous;
  app::apply_security_options(options({}), anonymous);
  EXPECT_FALSE(app::apply_guest_identity(options({}), dir_, anonymous).empty());
  ASSERT_TRUE(anonymous.authorizer);
  EXPECT_NE(dynamic_cast<const auth::GuestAuthorizer*>(anonymous.authorizer.get()), nullptr);

  const std::vector<std::string> jwt = {"--auth", "jwt"};
  ::setenv("PARLEY_JWT_SECRET", "0123456789abcdef0123456789abcdef", 1);
  gateway::Config signed_in;
  app::apply_security_options(options(jwt), signed_in);
  EXPECT_EQ(app::apply_guest_identity(options(jwt), dir_, signed_in), "");
  EXPECT_EQ(dynamic_cast<const auth::GuestAuthorizer*>(signed_in.authorizer.get()), nullptr);
  auto with_key = jwt;
  with_key.insert(with_key.end(), {"--guest-key-file", "x"});
  EXPECT_THROW(app::apply_guest_identity(options(with_key), dir_, signed_in), std::invalid_argument);
  ::unsetenv("PARLEY_JWT_SECRET");
}

}  // namespace
