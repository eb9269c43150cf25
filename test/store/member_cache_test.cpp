// store::MemberCache in front of a SQLite file: the Store contract, and what only the cache
// can break: lists shared with readers, rooms released when empty, writers racing readers.
#include "store/member_cache.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "core/log.hpp"
#include "sqlite_test_support.hpp"
#include "store/fault_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store_contract.hpp"

namespace {

using namespace sqlite_test;

struct CachedSqliteHarness {
  TempDir dir;
  std::unique_ptr<store::Store> inner;
  std::unique_ptr<store::MemberCache> cache;
  std::optional<store::Tables> open() {
    auto s = store::open_sqlite(dir.path() / "parley.db");
    if (!s) {
      ADD_FAILURE() << "open_sqlite: " << s.error();
      return std::nullopt;
    }
    inner = std::move(*s);
    cache = std::make_unique<store::MemberCache>(*inner);
    return store::with_members(inner->tables(), *cache);
  }
};

}  // namespace

namespace store_contract {
INSTANTIATE_STORE_CONTRACT(CachedSqlite, CachedSqliteHarness);
}

namespace {

store::Member member(const std::string& room, const std::string& id, const std::string& name) {
  return {room, id, name, 1700000000789, 1700007200};
}

std::set<std::string> ids_of(const std::vector<store::Member>& ms) {
  std::set<std::string> out;
  for (const auto& m : ms) out.insert(m.connection_id);
  return out;
}

class MemberCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::open_sqlite(dir_.path() / "parley.db");
    ASSERT_TRUE(s) << s.error();
    inner_ = std::move(*s);
    cache_ = std::make_unique<store::MemberCache>(*inner_);
  }
  TempDir dir_;
  std::unique_ptr<store::Store> inner_;
  std::unique_ptr<store::MemberCache> cache_;
};

TEST_F(MemberCacheTest, AListHeldByAReaderNeverChanges) {
  ASSERT_TRUE(cache_->put_member(member("lobby", "a", "ann")));
  auto held = cache_->room_members("lobby").value();
  ASSERT_TRUE(cache_->put_member(member("lobby", "b", "bob")));
  ASSERT_TRUE(cache_->delete_member("lobby", "a"));
  EXPECT_EQ(held->ids, std::vector<std::string>{"a"});
  EXPECT_EQ(cache_->room_members("lobby").value()->ids, std::vector<std::string>{"b"});
}

TEST_F(MemberCacheTest, UnheldListIsUpdatedInPlace) {
  ASSERT_TRUE(cache_->put_member(member("lobby", "a", "ann")));
  const store::RoomMembers* before = cache_->room_members("lobby").value().get();
  ASSERT_TRUE(cache_->put_member(member("lobby", "b", "bob")));
  // Nobody held the list: the cache grew it instead of copying it (a join storm stays O(N)).
  EXPECT_EQ(cache_->room_members("lobby").value().get(), before);
}

TEST_F(MemberCacheTest, EveryChangeGivesTheListANewVersion) {
  const auto version = [&] { return cache_->room_members("lobby").value()->version; };
  ASSERT_TRUE(cache_->put_member(member("lobby", "a", "ann")));
  const auto first = version();
  EXPECT_NE(first, 0u);  // a kept list: the Connections adapter may remember it
  EXPECT_EQ(version(), first);  // unchanged between reads
  // Updated in place (nobody holds it): a new version with the change.
  ASSERT_TRUE(cache_->put_member(member("lobby", "b", "bob")));
  const auto second = version();
  EXPECT_GT(second, first);
  // Copied (a reader holds it): the held list keeps its version, the new one has another.
  auto held = cache_->room_members("lobby").value();
  ASSERT_TRUE(cache_->delete_member("lobby", "a"));
  EXPECT_EQ(held->version, second);
  const auto third = version();
  EXPECT_GT(third, second);
  // A rename changes a row, not the ids, but is a change all the same.
  held.reset();
  ASSERT_TRUE(cache_->put_member(member("lobby", "b", "bobby")));
  EXPECT_GT(version(), third);
  // Another room's lists never share a version with this one's.
  ASSERT_TRUE(cache_->put_member(member("other", "c", "cy")));
  EXPECT_NE(cache_->room_members("other").value()->version, version());
}

TEST_F(MemberCacheTest, WritesReachTheStoreBehindIt) {
  ASSERT_TRUE(cache_->put_member(member("lobby", "a", "ann")));
  ASSERT_TRUE(cache_->put_member(member("lobby", "b", "bob")));
  ASSERT_TRUE(cache_->delete_member("lobby", "a"));
  EXPECT_EQ(ids_of(inner_->members("lobby").value()), std::set<std::string>{"b"});
}

TEST_F(MemberCacheTest, RowsWrittenBeforeTheFirstReadAreLoadedFromTheStore) {
  ASSERT_TRUE(inner_->put_member(member("lobby", "old", "olga")));  // e.g. a previous run
  ASSERT_TRUE(cache_->put_member(member("lobby", "a", "ann")));
  EXPECT_EQ(ids_of(cache_->room_members("lobby").value()->members),
            (std::set<std::string>{"a", "old"}));
  EXPECT_TRUE(cache_->name_taken("lobby", "OLGA", "a").value());
}

// `parley serve` empties the members table before the cache is made: the cache then answers
// for every room without reading it (a row written behind its back is, by contract, not seen).
TEST_F(MemberCacheTest, ACacheThatStartsEmptyNeverReadsARoomFromTheStore) {
  ASSERT_TRUE(inner_->put_member(member("lobby", "ghost", "olga")));
  store::MemberCache cache(*inner_, true);
  EXPECT_TRUE(cache.room_members("lobby").value()->members.empty());
  EXPECT_FALSE(cache.name_taken("lobby", "olga", "a").value());
  ASSERT_TRUE(cache.put_connection_and_member({"a", "ann", 0, "", 0, "lobby", -1},
                                              member("lobby", "a", "ann")));
  EXPECT_EQ(cache.room_members("lobby").value()->ids, std::vector<std::string>{"a"});
  EXPECT_TRUE(cache.name_taken("lobby", "ANN", "b").value());
  EXPECT_EQ(ids_of(inner_->members("lobby").value()), (std::set<std::string>{"a", "ghost"}));
  EXPECT_EQ(inner_->get_connection("a").value().name, "ann");
}

TEST_F(MemberCacheTest, EmptyRoomsAreNotKept) {
  for (int i = 0; i < 100; ++i) {
    const std::string room = "r" + std::to_string(i);
    EXPECT_TRUE(cache_->room_members(room).value()->members.empty());  // `who` on any name
    EXPECT_FALSE(cache_->name_taken(room, "ann", "").value());
  }
  EXPECT_EQ(cache_->cached_rooms(), 0u);
  ASSERT_TRUE(cache_->put_member(member("lobby", "a", "ann")));
  ASSERT_TRUE(cache_->room_members("lobby"));
  EXPECT_EQ(cache_->cached_rooms(), 1u);
  ASSERT_TRUE(cache_->delete_member("lobby", "a"));
  EXPECT_EQ(cache_->cached_rooms(), 0u);
}

// A connection alone in its room pays for the room's entry (issue 18): the entry is one map
// node holding the whole room, its locks shared with other rooms (store::RoomLocks). Before,
// a 64-byte node pointed to a 128-byte Room with two mutexes of its own.
static_assert(store::MemberCache::room_entry_bytes() <= 80,
              "a room's entry grew: a room of one costs it per connection");

// Joins and leaves over many rooms (each connection in a room of its own, then gone) leave no
// entry behind, whether the room emptied by a leave, a failed read or a read of nobody.
TEST_F(MemberCacheTest, RoomsThatEmptiedAreErasedUnderChurn) {
  store::MemberCache cache(*inner_, true);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 500; ++i) {
      const std::string room = "r" + std::to_string(i), id = "c" + std::to_string(i);
      ASSERT_TRUE(cache.put_member(member(room, id, "ann")));
      ASSERT_TRUE(cache.put_member(member(room, id + "b", "bob")));
    }
    EXPECT_EQ(cache.cached_rooms(), 500u);
    for (int i = 0; i < 500; ++i) {
      const std::string room = "r" + std::to_string(i), id = "c" + std::to_string(i);
      ASSERT_TRUE(cache.delete_member(room, id));
      EXPECT_EQ(cache.room_members(room).value()->ids, std::vector<std::string>{id + "b"});
      ASSERT_TRUE(cache.delete_member(room, id + "b"));
      ASSERT_TRUE(cache.delete_member(room, "never-joined"));
    }
    EXPECT_EQ(cache.cached_rooms(), 0u);
  }
}

// A write the store refused leaves no entry either (the room was made for it, and stayed empty).
TEST_F(MemberCacheTest, ARefusedWriteLeavesNoRoomBehind) {
  core::log::set_level(core::log::level::warn);  // not a line per injected fault
  store::Faulty faulty(inner_->tables(), store::parse_fault_spec("put_member:error:1"));
  store::MemberCache cache(faulty, true);
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(cache.put_member(member("r" + std::to_string(i), "a", "ann")));
  EXPECT_EQ(cache.cached_rooms(), 0u);
}

// Rooms share their locks: a rename spanning rooms of one stripe takes it once (a second
// time would wait on itself), and writes to both rooms go on.
TEST_F(MemberCacheTest, ARenameSpanningRoomsThatShareTheirLocks) {
  const std::string a = "lobby";
  std::string b;
  for (int i = 0; b.empty(); ++i) {
    const auto name = "room" + std::to_string(i);
    if (store::RoomLocks::stripe_of(name) == store::RoomLocks::stripe_of(a)) b = name;
  }
  store::Connection c{"c1", "ann", 0, "", 0, a, -1};
  ASSERT_TRUE(cache_->put_connection_and_member(c, member(a, "c1", "ann")));
  ASSERT_TRUE(cache_->put_member(member(b, "c1", "ann")));
  ASSERT_TRUE(cache_->room_members(a));  // loaded: the rename updates the lists in memory
  ASSERT_TRUE(cache_->room_members(b));
  store::Rename r;
  r.connection = c;
  r.connection.name = "bob";
  r.old_name = "ann";
  r.members = {member(a, "c1", "bob"), member(b, "c1", "bob")};
  r.old_names = {"ann", "ann"};
  ASSERT_TRUE(cache_->rename(r));
  EXPECT_EQ(cache_->room_members(a).value()->members.at(0).name, "bob");
  EXPECT_EQ(cache_->room_members(b).value()->members.at(0).name, "bob");
  EXPECT_TRUE(cache_->name_taken(b, "BOB", "c2").value());
  ASSERT_TRUE(cache_->put_member(member(b, "c2", "cy")));
  EXPECT_EQ(cache_->room_members(b).value()->members.size(), 2u);
}

TEST_F(MemberCacheTest, DuplicateNamesCountUntilTheLastHolderLeaves) {
  ASSERT_TRUE(cache_->put_member(member("lobby", "a", "ann")));
  ASSERT_TRUE(cache_->put_member(member("lobby", "b", "Ann")));
  ASSERT_TRUE(cache_->delete_member("lobby", "a"));
  EXPECT_TRUE(cache_->name_taken("lobby", "ann", "c").value());
  ASSERT_TRUE(cache_->delete_member("lobby", "b"));
  EXPECT_FALSE(cache_->name_taken("lobby", "ann", "c").value());
}

// Rooms of 32 members or more are looked up through indexes, smaller ones by scanning: both
// answer alike, across the threshold both ways.
TEST_F(MemberCacheTest, LookupsAgreeAboveAndBelowTheIndexThreshold) {
  for (int i = 0; i < 40; ++i)
    ASSERT_TRUE(cache_->put_member(member("lobby", "c" + std::to_string(i), "Name" + std::to_string(i))));
  EXPECT_TRUE(cache_->name_taken("lobby", "name39", "c1").value());
  EXPECT_FALSE(cache_->name_taken("lobby", "name39", "c39").value());
  ASSERT_TRUE(cache_->put_member(member("lobby", "c39", "renamed")));
  EXPECT_FALSE(cache_->name_taken("lobby", "name39", "c1").value());
  for (int i = 0; i < 37; ++i) ASSERT_TRUE(cache_->delete_member("lobby", "c" + std::to_string(i)));
  EXPECT_EQ(ids_of(cache_->room_members("lobby").value()->members),
            (std::set<std::string>{"c37", "c38", "c39"}));
  EXPECT_TRUE(cache_->name_taken("lobby", "RENAMED", "c1").value());
  EXPECT_FALSE(cache_->name_taken("lobby", "name5", "c1").value());
  const auto list = cache_->room_members("lobby").value();
  ASSERT_NE(list->find("c38"), nullptr);
  EXPECT_EQ(list->find("c38")->name, "Name38");
}

// Handler threads join, leave and read at once; afterwards the cache and the file agree, and
// every list a reader saw was whole (ids matching rows).
TEST_F(MemberCacheTest, ConcurrentWritersAndReadersLeaveTheCacheEqualToTheStore) {
  constexpr int writers = 4, per_writer = 300;
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::thread reader([&] {
    while (!done) {
      auto list = cache_->room_members("lobby");
      if (!list) continue;
      const auto& l = **list;
      if (l.ids.size() != l.members.size()) ++torn;
      for (std::size_t i = 0; i < l.ids.size(); ++i)
        if (l.ids[i] != l.members[i].connection_id) ++torn;
    }
  });
  std::vector<std::thread> ts;
  for (int w = 0; w < writers; ++w) {
    ts.emplace_back([&, w] {
      for (int i = 0; i < per_writer; ++i) {
        const std::string id = "w" + std::to_string(w) + "-" + std::to_string(i);
        ASSERT_TRUE(cache_->put_member(member("lobby", id, id)));
        if (i % 3 == 0) ASSERT_TRUE(cache_->delete_member("lobby", id));
      }
    });
  }
  for (auto& t : ts) t.join();
  done = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(ids_of(cache_->room_members("lobby").value()->members),
            ids_of(inner_->members("lobby").value()));
  EXPECT_EQ(cache_->room_members("lobby").value()->members.size(),
            static_cast<std::size_t>(writers * (per_writer - per_writer / 3)));
}

}  // namespace
