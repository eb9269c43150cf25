#pragma once
// The Store port's contract: one typed GoogleTest suite that every adapter instantiates, so
// SQLite and DynamoDB are held to the same behaviour (centrifuge's shared broker test).
//
// An adapter's test file defines a harness, constructed afresh for each test:
//   struct MyHarness {
//     // A Store on this test's backing; nullptr skips the test (backend not reachable).
//     std::unique_ptr<store::Store> open();
//   };
// and instantiates the suite:
//   namespace store_contract {  // the macro pastes the suite name: it must be in scope
//   INSTANTIATE_TYPED_TEST_SUITE_P(My, StoreContract, ::testing::Types<MyHarness>);
//   }
// Every test uses keys unique to itself, so a shared backend (DynamoDB Local) needs no cleanup.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/ids.hpp"
#include "store/store.hpp"

namespace store_contract {

template <class T>
bool failed_with(const core::result<T>& r, core::errc e) {
  return !r && r.error() == core::make_error_code(e);
}

inline std::vector<std::int64_t> seqs(const std::vector<store::Message>& ms) {
  std::vector<std::int64_t> out;
  for (const auto& m : ms) out.push_back(m.seq);
  return out;
}

inline std::vector<std::int64_t> range(std::int64_t first, std::int64_t last) {
  std::vector<std::int64_t> out;
  for (auto i = first; i <= last; ++i) out.push_back(i);
  return out;
}

template <class Harness>
class StoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = harness_.open();
    if (!store_) GTEST_SKIP() << "store backend not available";
  }
  store::Store& store() { return *store_; }
  // A key no other test (or earlier run against a shared backend) uses.
  std::string key(const std::string& base) { return base + "-" + suffix_; }

  store::Connection connection(const std::string& id, const std::string& room) {
    return {key(id), key(room), "name of " + id, 1700000000123, "http://node-a:8080/prod", 1700007200};
  }
  store::Message message(const std::string& room, const std::string& text) {
    return {key(room), 0, core::new_hex_id(), "sender=", "alice", text, 1700000000456, 0};
  }
  // Appends n messages "0".."n-1" to room and expects them to succeed.
  void append_n(const std::string& room, int n) {
    for (int i = 0; i < n; ++i) ASSERT_TRUE(store().append_message(message(room, std::to_string(i))));
  }

  Harness harness_;  // declared first: destroyed after the store that uses its backing
  std::unique_ptr<store::Store> store_;
  std::string suffix_ = core::new_hex_id().substr(0, 12);
};

TYPED_TEST_SUITE_P(StoreContract);

TYPED_TEST_P(StoreContract, PutThenGetRoundTripsEveryField) {
  auto c = this->connection("c1", "lobby");
  ASSERT_TRUE(this->store().put_connection(c));
  auto got = this->store().get_connection(c.connection_id);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->connection_id, c.connection_id);
  EXPECT_EQ(got->room, c.room);
  EXPECT_EQ(got->name, c.name);
  EXPECT_EQ(got->connected_at, c.connected_at);
  EXPECT_EQ(got->gateway, c.gateway);
  EXPECT_EQ(got->ttl, c.ttl);
}

TYPED_TEST_P(StoreContract, GetOfMissingConnectionIsNotFound) {
  EXPECT_TRUE(failed_with(this->store().get_connection(this->key("nobody")), core::errc::not_found));
}

TYPED_TEST_P(StoreContract, PutReplacesTheWholeRow) {
  auto c = this->connection("c1", "lobby");
  ASSERT_TRUE(this->store().put_connection(c));
  c.room = this->key("kitchen");
  c.name = "renamed";
  c.gateway = "";
  ASSERT_TRUE(this->store().put_connection(c));
  auto got = this->store().get_connection(c.connection_id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->room, c.room);
  EXPECT_EQ(got->name, "renamed");
  EXPECT_EQ(got->gateway, "");
  EXPECT_EQ(this->store().connections_in_room(this->key("lobby")).value(), std::vector<std::string>{});
  EXPECT_EQ(this->store().connections_in_room(c.room).value(), std::vector{c.connection_id});
}

TYPED_TEST_P(StoreContract, DeleteRemovesTheRowAndItsRoomEntry) {
  auto c = this->connection("c1", "lobby");
  ASSERT_TRUE(this->store().put_connection(c));
  ASSERT_TRUE(this->store().delete_connection(c.connection_id));
  EXPECT_TRUE(failed_with(this->store().get_connection(c.connection_id), core::errc::not_found));
  EXPECT_TRUE(this->store().connections_in_room(c.room).value().empty());
}

TYPED_TEST_P(StoreContract, DeleteOfMissingConnectionSucceeds) {
  EXPECT_TRUE(this->store().delete_connection(this->key("nobody")));
}

TYPED_TEST_P(StoreContract, ConnectionsInRoomListsExactlyThatRoom) {
  for (auto id : {"a", "b", "c"}) ASSERT_TRUE(this->store().put_connection(this->connection(id, "lobby")));
  ASSERT_TRUE(this->store().put_connection(this->connection("d", "kitchen")));
  auto ids = this->store().connections_in_room(this->key("lobby"));
  ASSERT_TRUE(ids) << ids.error();
  std::sort(ids->begin(), ids->end());  // the port promises no order
  EXPECT_EQ(*ids, (std::vector{this->key("a"), this->key("b"), this->key("c")}));
  EXPECT_TRUE(this->store().connections_in_room(this->key("empty")).value().empty());
}

TYPED_TEST_P(StoreContract, EmptyKeysAreInvalidArgument) {
  auto& s = this->store();
  auto no_id = this->connection("x", "lobby");
  no_id.connection_id.clear();
  auto no_room = this->connection("x", "lobby");
  no_room.room.clear();
  using core::errc;
  EXPECT_TRUE(failed_with(s.put_connection(no_id), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.put_connection(no_room), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.get_connection(""), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.delete_connection(""), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.connections_in_room(""), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.append_message(store::Message{}), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.messages_before("", 0, 10), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.messages_after("", 0, 10), errc::invalid_argument));
}

TYPED_TEST_P(StoreContract, NonPositiveLimitIsInvalidArgument) {
  using core::errc;
  auto room = this->key("lobby");
  EXPECT_TRUE(failed_with(this->store().messages_before(room, 0, 0), errc::invalid_argument));
  EXPECT_TRUE(failed_with(this->store().messages_after(room, 0, -1), errc::invalid_argument));
}

TYPED_TEST_P(StoreContract, AppendAllocatesSeqsFromOnePerRoom) {
  for (std::int64_t i = 1; i <= 3; ++i) {
    EXPECT_EQ(this->store().append_message(this->message("lobby", "l")).value().seq, i);
  }
  EXPECT_EQ(this->store().append_message(this->message("kitchen", "k")).value().seq, 1);
  EXPECT_EQ(this->store().append_message(this->message("lobby", "l")).value().seq, 4);
}

TYPED_TEST_P(StoreContract, AppendIgnoresInputSeqAndKeepsEveryField) {
  auto m = this->message("lobby", "hello, \"world\" \xE2\x9C\x93");
  m.seq = 42;
  m.ttl = 1700086400;
  auto stored = this->store().append_message(m);
  ASSERT_TRUE(stored) << stored.error();
  EXPECT_EQ(stored->seq, 1);
  auto got = this->store().messages_after(m.room, 0, 10);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 1u);
  const auto& g = got->front();
  EXPECT_EQ(g.room, m.room);
  EXPECT_EQ(g.seq, 1);
  EXPECT_EQ(g.id, m.id);
  EXPECT_EQ(g.sender, m.sender);
  EXPECT_EQ(g.name, m.name);
  EXPECT_EQ(g.text, m.text);
  EXPECT_EQ(g.ts, m.ts);
  EXPECT_EQ(g.ttl, m.ttl);
}

TYPED_TEST_P(StoreContract, MessagesBeforeWithoutCursorReturnsNewestOldestFirst) {
  this->append_n("lobby", 10);
  auto page = this->store().messages_before(this->key("lobby"), 0, 3);
  ASSERT_TRUE(page) << page.error();
  EXPECT_EQ(seqs(*page), range(8, 10));
  EXPECT_EQ(page->back().text, "9");
  EXPECT_EQ(seqs(this->store().messages_before(this->key("lobby"), -5, 100).value()), range(1, 10));
}

TYPED_TEST_P(StoreContract, MessagesBeforePagesBackThroughHistory) {
  this->append_n("lobby", 10);
  auto room = this->key("lobby");
  EXPECT_EQ(seqs(this->store().messages_before(room, 8, 3).value()), range(5, 7));
  EXPECT_EQ(seqs(this->store().messages_before(room, 5, 3).value()), range(2, 4));
  EXPECT_EQ(seqs(this->store().messages_before(room, 2, 3).value()), range(1, 1));
  EXPECT_TRUE(this->store().messages_before(room, 1, 3).value().empty());
}

TYPED_TEST_P(StoreContract, MessagesAfterReturnsWhatWasMissedOldestFirst) {
  this->append_n("lobby", 10);
  auto room = this->key("lobby");
  EXPECT_EQ(seqs(this->store().messages_after(room, 0, 4).value()), range(1, 4));
  EXPECT_EQ(seqs(this->store().messages_after(room, 7, 100).value()), range(8, 10));
  EXPECT_TRUE(this->store().messages_after(room, 10, 100).value().empty());
}

TYPED_TEST_P(StoreContract, MessagesOfUnknownRoomAreEmpty) {
  EXPECT_TRUE(this->store().messages_before(this->key("nowhere"), 0, 10).value().empty());
  EXPECT_TRUE(this->store().messages_after(this->key("nowhere"), 0, 10).value().empty());
}

// 8 threads append to two rooms at once: each room's seqs are exactly 1..N, none lost or twice.
TYPED_TEST_P(StoreContract, ConcurrentAppendsGiveUniqueGapFreeSeqs) {
  constexpr int kThreads = 8, kPerThreadPerRoom = 25;
  const std::vector<std::string> rooms{"lobby", "kitchen"};
  std::vector<std::vector<std::int64_t>> got(kThreads * rooms.size());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThreadPerRoom; ++i) {
        for (std::size_t r = 0; r < rooms.size(); ++r) {
          auto m = this->store().append_message(this->message(rooms[r], std::to_string(t)));
          if (m) got[t * rooms.size() + r].push_back(m->seq);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  constexpr std::int64_t kN = kThreads * kPerThreadPerRoom;
  for (std::size_t r = 0; r < rooms.size(); ++r) {
    std::vector<std::int64_t> all;
    for (int t = 0; t < kThreads; ++t) {
      const auto& mine = got[t * rooms.size() + r];
      EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end())) << "a thread saw its seqs go back";
      all.insert(all.end(), mine.begin(), mine.end());
    }
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all, range(1, kN)) << rooms[r];
    auto stored = this->store().messages_after(this->key(rooms[r]), 0, static_cast<int>(kN));
    ASSERT_TRUE(stored);
    EXPECT_EQ(seqs(*stored), range(1, kN)) << rooms[r];
  }
}

REGISTER_TYPED_TEST_SUITE_P(StoreContract, PutThenGetRoundTripsEveryField,
                            GetOfMissingConnectionIsNotFound, PutReplacesTheWholeRow,
                            DeleteRemovesTheRowAndItsRoomEntry, DeleteOfMissingConnectionSucceeds,
                            ConnectionsInRoomListsExactlyThatRoom, EmptyKeysAreInvalidArgument,
                            NonPositiveLimitIsInvalidArgument, AppendAllocatesSeqsFromOnePerRoom,
                            AppendIgnoresInputSeqAndKeepsEveryField,
                            MessagesBeforeWithoutCursorReturnsNewestOldestFirst,
                            MessagesBeforePagesBackThroughHistory,
                            MessagesAfterReturnsWhatWasMissedOldestFirst,
                            MessagesOfUnknownRoomAreEmpty, ConcurrentAppendsGiveUniqueGapFreeSeqs);

}  // namespace store_contract
