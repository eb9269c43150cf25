#include "gateway/connection_registry.hpp"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "fake_session.hpp"

namespace gateway {
namespace {

using testing::FakeSession;

TEST(ConnectionRegistry, AddFindRemove) {
  ConnectionRegistry r;
  auto s = std::make_shared<FakeSession>("a=");
  r.add(s);
  EXPECT_EQ(r.find("a="), s);
  EXPECT_EQ(r.find("b="), nullptr);
  EXPECT_EQ(r.size(), 1u);
  r.remove("a=");
  EXPECT_EQ(r.find("a="), nullptr);
  EXPECT_EQ(r.size(), 0u);
  r.remove("a=");  // removing twice is harmless
}

// Entries are keyed by a view of their session's id: a session added under an id already there
// replaces the entry, key included, so the key never outlives the session it points into
// (ASan in make sanitize-test, or valgrind, sees the read of a freed id otherwise).
TEST(ConnectionRegistry, ASessionOfTheSameIdReplacesTheEntryAndItsKey) {
  ConnectionRegistry r;
  auto first = std::make_shared<FakeSession>(std::string(16, 'k'));
  r.add(first);
  auto second = std::make_shared<FakeSession>(std::string(16, 'k'));
  r.add(second);
  first.reset();  // the first session and its id are gone
  EXPECT_EQ(r.find(std::string(16, 'k')), second);
  EXPECT_EQ(r.size(), 1u);
  r.remove(std::string(16, 'k'));
  EXPECT_EQ(r.size(), 0u);
}

TEST(ConnectionRegistry, IdsDifferingOnlyInLengthOrTrailingBytesAreDistinct) {
  ConnectionRegistry r;
  auto shorter = std::make_shared<FakeSession>("abc");
  auto nul = std::make_shared<FakeSession>(std::string("abc\0", 4));
  auto real = std::make_shared<FakeSession>("L0SM9cOFvHcCIhw=");
  auto other = std::make_shared<FakeSession>("L0SM9cOFvHcCIhx=");
  for (auto& s : {shorter, nul, real, other}) r.add(s);
  EXPECT_EQ(r.find("abc"), shorter);
  EXPECT_EQ(r.find(std::string("abc\0", 4)), nul);
  EXPECT_EQ(r.find("L0SM9cOFvHcCIhw="), real);
  EXPECT_EQ(r.find("L0SM9cOFvHcCIhx="), other);
  EXPECT_EQ(r.find("L0SM9cOFvHcCIhw"), nullptr);
  const std::vector<std::string> ids{"L0SM9cOFvHcCIhx=", std::string(300, 'x'), "abc", "nope"};
  auto found = r.find_many(ids);
  ASSERT_EQ(found.size(), 4u);
  EXPECT_EQ(found[0], other);
  EXPECT_EQ(found[1], nullptr);
  EXPECT_EQ(found[2], shorter);
  EXPECT_EQ(found[3], nullptr);
  EXPECT_EQ(r.find(std::string(300, 'x')), nullptr);
  r.remove(std::string(300, 'x'));  // harmless
  EXPECT_EQ(r.size(), 4u);
}

TEST(ConnectionRegistry, AllListsEverySession) {
  ConnectionRegistry r;
  for (int i = 0; i < 100; ++i) r.add(std::make_shared<FakeSession>(std::to_string(i)));
  EXPECT_EQ(r.all().size(), 100u);
  EXPECT_EQ(r.size(), 100u);
}

TEST(ConnectionRegistry, FindManyAnswersEachIdInItsPlace) {
  ConnectionRegistry r;
  std::vector<std::shared_ptr<FakeSession>> held;
  for (int i = 0; i < 500; ++i) {
    held.push_back(std::make_shared<FakeSession>("id" + std::to_string(i)));
    r.add(held.back());
  }
  std::vector<std::string> ids;
  for (int i = 999; i >= 0; i -= 3) ids.push_back("id" + std::to_string(i));  // half unknown
  const auto found = r.find_many(ids);
  ASSERT_EQ(found.size(), ids.size());
  for (std::size_t k = 0; k < ids.size(); ++k) EXPECT_EQ(found[k], r.find(ids[k])) << ids[k];
  EXPECT_TRUE(r.find_many({}).empty());
}

TEST(ConnectionRegistry, ConcurrentUseFromManyThreads) {
  ConnectionRegistry r;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&r, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        r.add(std::make_shared<FakeSession>(id));
        ASSERT_NE(r.find(id), nullptr);
        if (i % 2) r.remove(id);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(r.size(), 8u * 1000u);
}

}  // namespace
}  // namespace gateway
