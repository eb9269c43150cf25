// The store's decorators stacked as `parley serve` stacks them, over a real SQLite file: each
// wraps only its ports, and no fast path of the adapter is lost on the way down. A Counting
// wrapper right on top of the adapter records which port calls reach it: a compound call that
// arrives as its parts (put_connection + put_member instead of put_connection_and_member) means
// some decorator on the way re-made it from parts, and SQLite's one transaction, or its one
// snapshot, was not used.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>

#include "cluster/node_store.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "store/member_cache.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/timed_store.hpp"

namespace {

using store::Op;

// Counts the calls that reach the ports it wraps, by operation.
class Counting final : public store::Wrapping {
 public:
  using Wrapping::Wrapping;
  int calls(Op op) {
    std::lock_guard lock(mu_);
    return calls_[op];
  }
  int total() {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& [_, c] : calls_) n += c;
    return n;
  }
  void reset() {
    std::lock_guard lock(mu_);
    calls_.clear();
  }

 private:
  void after(Op op, bool, std::chrono::steady_clock::duration) override {
    std::lock_guard lock(mu_);
    ++calls_[op];
  }
  std::mutex mu_;
  std::map<Op, int> calls_;
};

const std::string self = "http://127.0.0.1:9001/dev";
const std::string peer = "http://127.0.0.1:9002/dev";

struct StoreStack : ::testing::Test {
  void SetUp() override {
    auto s = store::open_sqlite(dir / "parley.db");
    ASSERT_TRUE(s) << s.error().message();
    db = std::move(*s);
    counting = std::make_unique<Counting>(db->tables());
    timed = std::make_unique<store::Timed>(counting->tables());
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  store::Connection connection(const std::string& id, const std::string& name) {
    return {id, name, now, "", 0, "lobby", -1, ""};
  }
  store::Member member(const std::string& room, const std::string& id, const std::string& name) {
    return {room, id, name, now, 0, "", ""};
  }
  // Runs $connect's write, a rename in two rooms and `hello`'s read through `top`.
  void connect_rename_and_view(store::Tables top) {
    ASSERT_TRUE(top.members.put_connection_and_member(connection("A=", "ann"), member("lobby", "A=", "ann")));
    ASSERT_TRUE(top.members.put_member(member("attic", "A=", "ann")));
    counting->reset();
    store::Rename r{connection("A=", "anna"), "ann",
                    {member("attic", "A=", "anna"), member("lobby", "A=", "anna")}, {"ann", "ann"}};
    ASSERT_TRUE(top.members.rename(r));
    EXPECT_EQ(counting->calls(Op::rename), 1);
    EXPECT_EQ(counting->total(), 1) << "the rename reached SQLite as its parts";
  }

  std::int64_t now = core::now_ms();
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("parley-stack-" + core::new_hex_id().substr(0, 12));
  std::unique_ptr<store::Store> db;
  std::unique_ptr<Counting> counting;
  std::unique_ptr<store::Timed> timed;
};

// SQLite under `parley serve`: Timed on every port, the MemberCache on memberships.
TEST_F(StoreStack, TimedAndMemberCacheKeepSqlitesOneTransactionAndOneSnapshot) {
  store::MemberCache cache(*timed, true);
  const store::Tables top = store::with_members(timed->tables(), cache);

  ASSERT_TRUE(top.members.put_connection_and_member(connection("A=", "ann"), member("lobby", "A=", "ann")));
  EXPECT_EQ(counting->calls(Op::put_connection_and_member), 1);
  EXPECT_EQ(counting->total(), 1) << "$connect's write reached SQLite as its parts";

  connect_rename_and_view(top);

  counting->reset();
  auto view = top.views.connection_view("A=", 10, [](const auto&, const auto&) { return true; });
  ASSERT_TRUE(view);
  EXPECT_EQ(view->connection.name, "anna");
  ASSERT_EQ(view->rooms.size(), 2u);
  EXPECT_EQ(view->rooms[0].member.name, "anna");
  EXPECT_EQ(counting->calls(Op::connection_view), 1);
  EXPECT_EQ(counting->total(), 1) << "hello's read reached SQLite as its parts";

  // The rooms are in memory: the fan-out's list and a join's name check read no row, and the
  // list is the one shared object, not a copy.
  counting->reset();
  auto list = top.members.room_members("lobby");
  ASSERT_TRUE(list);
  ASSERT_EQ((*list)->ids, std::vector<std::string>{"A="});
  EXPECT_EQ(top.members.room_members("lobby")->get(), list->get());
  EXPECT_TRUE(top.members.name_taken("lobby", "ANNA", "B=").value());
  EXPECT_TRUE(top.members.find_member("attic", "A=").value().has_value());
  EXPECT_EQ(counting->total(), 0) << "the member cache was bypassed";
}

// Every decorator at once (Timed, NodeStore, MemberCache) composes, and the writes spanning two
// tables still reach SQLite as one call with both rows stamped with this node. connection_view
// is the one read NodeStore re-makes from its filtered parts, on purpose: a snapshot that showed
// a dead node's rows would be wrong.
TEST_F(StoreStack, NodeStoreAndMemberCacheComposeOverTimed) {
  cluster::Liveness liveness(self, now - 60'000);
  cluster::NodeStore node(timed->tables(), liveness);
  store::MemberCache cache(node.tables().members);
  const store::Tables top = store::with_members(node.tables(), cache);

  ASSERT_TRUE(top.members.put_connection_and_member(connection("A=", "ann"), member("lobby", "A=", "ann")));
  EXPECT_EQ(counting->calls(Op::put_connection_and_member), 1);
  EXPECT_EQ(counting->total(), 1) << "$connect's write reached SQLite as its parts";
  EXPECT_EQ(db->get_connection("A=")->gateway, self);  // (SQLite keeps no member's gateway)

  connect_rename_and_view(top);
  EXPECT_EQ(db->get_connection("A=")->gateway, self);
  EXPECT_EQ(db->get_connection("A=")->name, "anna");

  // A connection of a peer that died, and a member row past its ttl (SQLite keeps no member's
  // node): hidden from the cache's first read of the room, and from hello's read.
  ASSERT_TRUE(db->put_connection({"B=", "bob", now - 5000, peer, 0, "lobby", -1, ""}));
  ASSERT_TRUE(db->put_member({"lobby", "B=", "bob", now - 5000, now / 1000 - 1, "", ""}));
  liveness.update({{peer, now - 10'000, now - 1, {}, 0}});
  EXPECT_EQ(top.members.room_members("lobby").value()->ids, std::vector<std::string>{"A="});
  EXPECT_FALSE(top.members.name_taken("lobby", "bob", "").value());
  EXPECT_EQ(top.views.connection_view("B=", 10, nullptr).error(), core::errc::not_found);
  auto view = top.views.connection_view("A=", 10, nullptr);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->rooms.size(), 2u);
}

}  // namespace
