// app::DataLock: one `parley serve` per data directory (issue 15 #11), and the boot id that
// tells a start whether the machine may have crashed since the previous run (#8).
#include "app/data_lock.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "core/ids.hpp"

namespace app {
namespace {

namespace fs = std::filesystem;

struct DataLockTest : ::testing::Test {
  fs::path dir = fs::temp_directory_path() / ("parley-lock-" + core::new_hex_id());
  fs::path boot = dir / "boot_id";
  void SetUp() override {
    fs::create_directories(dir);
    set_boot("boot-one");
  }
  void TearDown() override { fs::remove_all(dir); }
  void set_boot(const std::string& id) { std::ofstream(boot) << id << "\n"; }
};

TEST_F(DataLockTest, ASecondLockOnTheDirectoryIsRefusedNamingTheHolder) {
  DataLock first(dir / "data", boot);
  try {
    DataLock second(dir / "data", boot);
    FAIL() << "a second lock on the same directory was granted";
  } catch (const DataLock::Busy& e) {
    EXPECT_NE(std::string(e.what()).find("in use by another parley serve (pid " + std::to_string(::getpid()) + ")"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(DataLockTest, TheLockGoesWithItsHolder) {
  { DataLock first(dir / "data", boot); }
  EXPECT_NO_THROW(DataLock again(dir / "data", boot));
}

TEST_F(DataLockTest, ARestartOfTheMachineIsToldFromTheBootId) {
  { DataLock first(dir / "data", boot); }
  {
    DataLock same_boot(dir / "data", boot);
    EXPECT_FALSE(same_boot.machine_restarted());  // the previous run's commits are all there
  }
  set_boot("boot-two");
  DataLock rebooted(dir / "data", boot);
  EXPECT_TRUE(rebooted.machine_restarted());
}

TEST_F(DataLockTest, AFirstRunOrAnUnknownBootCountsAsARestart) {
  DataLock fresh(dir / "data", boot);
  EXPECT_TRUE(fresh.machine_restarted());
}

}  // namespace
}  // namespace app
