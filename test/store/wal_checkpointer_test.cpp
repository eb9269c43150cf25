// store::WalCheckpointer on a real SQLite file with the adapter's schema: the WAL is copied into
// the database by the checkpointer's own thread, never by a commit below the writer's bound;
// past that bound the committing writer checkpoints, so the WAL file stays bounded even when
// the thread never runs; and under writers, readers and checkpoints at once nothing is lost.
#include "store/sqlite/wal_checkpointer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "sqlite_test_support.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_messages.hpp"
#include "store/sqlite/sqlite_schema.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using namespace std::chrono_literals;
using sqlite_test::msg;
using sqlite_test::TempDir;
namespace fs = std::filesystem;

class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = dir_.path() / "parley.db";
    fs::create_directories(dir_.path());
    auto c = store::SqliteConnection::open(file_, 5000ms, false);
    ASSERT_TRUE(c) << c.error();
    writer_ = std::move(*c);
    ASSERT_TRUE(store::prepare_database(*writer_));
  }

  // One committed append in its own room (a new leaf and rooms row: several WAL pages each).
  void append(int i) {
    auto tx = store::WriteTransaction::begin(*writer_);
    ASSERT_TRUE(tx) << tx.error();
    auto stored = store::store_message(*writer_, msg("room-" + std::to_string(i % 50),
                                                     std::string(300, 'x')),
                                       core::now_ms(), /*synced=*/true);
    ASSERT_TRUE(stored) << stored.error();
    ASSERT_TRUE(tx->commit());
  }

  std::uintmax_t size(const fs::path& p) {
    std::error_code ec;
    auto n = fs::file_size(p, ec);
    return ec ? 0 : n;
  }

  TempDir dir_;
  fs::path file_;
  std::unique_ptr<store::SqliteConnection> writer_;
};

TEST_F(WalCheckpointerTest, TheThreadCopiesTheWalAndNoCommitWaitsForIt) {
  auto ckpt = store::WalCheckpointer::start(file_, 5000ms, *writer_,
                                            {.start_pages = 20, .writer_pages = 1000000});
  ASSERT_TRUE(ckpt) << ckpt.error();
  const auto db_before = size(file_);
  for (int i = 0; i < 200; ++i) append(i);
  // Every commit returned without checkpointing (SQLite's autocheckpoint is off on the writer).
  EXPECT_EQ((*ckpt)->stats().by_writer, 0u);
  // The thread copies pages into the database file beside the commits.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while ((*ckpt)->stats().background == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_GE((*ckpt)->stats().background, 1u);
  EXPECT_GT(size(file_), db_before);
  EXPECT_EQ(sqlite_test::query(file_, "SELECT count(*) FROM messages"), "200");
}

TEST_F(WalCheckpointerTest, PastItsBoundTheWriterCheckpointsAndTheWalStaysBounded) {
  // The thread is never woken (start_pages 0): only the writer's bound keeps the WAL from
  // growing without end.
  auto ckpt = store::WalCheckpointer::start(file_, 5000ms, *writer_,
                                            {.start_pages = 0, .writer_pages = 120});
  ASSERT_TRUE(ckpt) << ckpt.error();
  std::uintmax_t largest = 0;
  for (int i = 0; i < 600; ++i) {
    append(i);
    largest = std::max(largest, size(fs::path(file_.string() + "-wal")));
  }
  EXPECT_GE((*ckpt)->stats().by_writer, 3u);
  EXPECT_EQ((*ckpt)->stats().background, 0u);
  // 120 pages of 1 KiB (+24 bytes of frame header each), plus one commit's worth beyond.
  EXPECT_LT(largest, 200u * 1048u);
  EXPECT_EQ(sqlite_test::query(file_, "SELECT count(*) FROM messages"), "600");
}

}  // namespace

namespace {

// The adapter with checkpoints every 20 pages and a writer's bound of 60: four threads append
// to one room while two read its history, checkpoints running beside them the whole time.
// Every append succeeds, seqs run 1..N without a gap, every read sees a prefix of them, and a
// reopened file holds them all.
TEST(SqliteCheckpoints, WritesReadsAndCheckpointsAtOnceLoseNothing) {
  TempDir dir;
  const auto file = dir.path() / "parley.db";
  constexpr int kThreads = 4;
  constexpr int kEach = 150;
  {
    store::SqliteOptions options;
    options.checkpoint_pages = 20;
    options.writer_checkpoint_pages = 60;
    auto s = store::Sqlite::open(file, options);
    ASSERT_TRUE(s) << s.error();
    std::atomic<bool> writing{true};
    std::atomic<int> failures{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < 2; ++r) {
      readers.emplace_back([&] {
        while (writing) {
          auto page = (*s)->messages_after("lobby", 0, 1000);
          if (!page) {
            ++failures;
            continue;
          }
          for (std::size_t i = 0; i < page->size(); ++i) {
            if ((*page)[i].seq != static_cast<std::int64_t>(i) + 1) ++failures;
          }
        }
      });
    }
    std::vector<std::thread> writers;
    for (int t = 0; t < kThreads; ++t) {
      writers.emplace_back([&] {
        for (int i = 0; i < kEach; ++i) {
          if (!(*s)->append_message(msg("lobby", std::string(200, 'x')))) ++failures;
        }
      });
    }
    for (auto& w : writers) w.join();
    writing = false;
    for (auto& r : readers) r.join();
    EXPECT_EQ(failures.load(), 0);
  }
  auto reopened = store::Sqlite::open(file);
  ASSERT_TRUE(reopened) << reopened.error();
  auto all = (*reopened)->messages_after("lobby", 0, 1000);
  ASSERT_TRUE(all) << all.error();
  ASSERT_EQ(all->size(), static_cast<std::size_t>(kThreads * kEach));
  for (std::size_t i = 0; i < all->size(); ++i) EXPECT_EQ((*all)[i].seq, static_cast<std::int64_t>(i) + 1);
}

}  // namespace
