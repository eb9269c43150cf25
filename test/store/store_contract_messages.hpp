#pragma once
// The contract of the MessageLog port: seq allocation, idempotent append, paging, last_seq.
// Include store_contract.hpp, not this: the suite is only complete (registered) there.
#include <algorithm>
#include <atomic>
#include <thread>

#include "store_contract_fixture.hpp"

namespace store_contract {

TYPED_TEST_P(MessageLogContract, NonPositiveLimitIsInvalidArgument) {
  using core::errc;
  auto room = this->key("lobby");
  EXPECT_TRUE(failed_with(this->store().messages.messages_before(room, 0, 0), errc::invalid_argument));
  EXPECT_TRUE(failed_with(this->store().messages.messages_after(room, 0, -1), errc::invalid_argument));
}

TYPED_TEST_P(MessageLogContract, AppendAllocatesSeqsFromOnePerRoom) {
  for (std::int64_t i = 1; i <= 3; ++i) {
    EXPECT_EQ(this->store().messages.append_message(this->message("lobby", "l")).value().message.seq, i);
  }
  EXPECT_EQ(this->store().messages.append_message(this->message("kitchen", "k")).value().message.seq, 1);
  EXPECT_EQ(this->store().messages.append_message(this->message("lobby", "l")).value().message.seq, 4);
}

TYPED_TEST_P(MessageLogContract, AppendIgnoresInputSeqAndKeepsEveryField) {
  auto m = this->keyed_message("lobby", "c1-\xE2\x9C\x93", "hello, \"world\" \xE2\x9C\x93");
  m.seq = 42;
  m.ttl = 1700086400;
  m.to = "bob";
  auto stored = this->store().messages.append_message(m);
  ASSERT_TRUE(stored) << stored.error();
  EXPECT_FALSE(stored->duplicate);
  m.seq = 1;
  expect_same_message(stored->message, m);
  auto got = this->store().messages.messages_after(m.room, 0, 10);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 1u);
  expect_same_message(got->front(), m);
  expect_same_message(this->store().messages.messages_before(m.room, 0, 10).value().at(0), m);
}

// A retry carries the same clientMsgId but may differ in everything else (new id, new ts):
// what comes back is the first attempt's message, and nothing new is stored or numbered.
TYPED_TEST_P(MessageLogContract, RetriedClientMsgIdReturnsTheEarlierMessage) {
  auto first = this->keyed_message("lobby", "k1", "first");
  first.to = "bob";
  first.ttl = 1700086400;
  ASSERT_TRUE(this->store().messages.append_message(this->message("lobby", "before")));
  auto a = this->store().messages.append_message(first);
  ASSERT_TRUE(a) << a.error();
  EXPECT_FALSE(a->duplicate);
  auto retry = this->keyed_message("lobby", "k1", "second");
  retry.sender = "other=";
  retry.ts += 5000;
  auto b = this->store().messages.append_message(retry);
  ASSERT_TRUE(b) << b.error();
  EXPECT_TRUE(b->duplicate);
  first.seq = 2;
  expect_same_message(b->message, first);
  auto room = this->key("lobby");
  EXPECT_EQ(seqs(this->store().messages.messages_after(room, 0, 10).value()), range(1, 2));
  EXPECT_EQ(this->store().messages.last_seq(room).value(), 2);  // no seq was allocated for the retry
  EXPECT_EQ(this->store().messages.append_message(this->message("lobby", "after")).value().message.seq, 3);
  EXPECT_TRUE(this->store().messages.append_message(retry).value().duplicate);  // still, later on
}

TYPED_TEST_P(MessageLogContract, EmptyClientMsgIdNeverDeduplicates) {
  auto m = this->message("lobby", "same");
  auto a = this->store().messages.append_message(m);
  auto b = this->store().messages.append_message(m);
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(a->duplicate);
  EXPECT_FALSE(b->duplicate);
  EXPECT_EQ(a->message.seq, 1);
  EXPECT_EQ(b->message.seq, 2);
  EXPECT_EQ(this->store().messages.messages_after(m.room, 0, 10).value().size(), 2u);
}

// The key is (room, clientMsgId): the same id in another room, or another id in the same room,
// is a new message.
TYPED_TEST_P(MessageLogContract, ClientMsgIdIsScopedToItsRoom) {
  auto& s = this->store();
  EXPECT_FALSE(s.messages.append_message(this->keyed_message("lobby", "k1")).value().duplicate);
  EXPECT_FALSE(s.messages.append_message(this->keyed_message("kitchen", "k1")).value().duplicate);
  EXPECT_FALSE(s.messages.append_message(this->keyed_message("lobby", "k2")).value().duplicate);
  EXPECT_TRUE(s.messages.append_message(this->keyed_message("kitchen", "k1")).value().duplicate);
  EXPECT_EQ(s.messages.last_seq(this->key("lobby")).value(), 2);
  EXPECT_EQ(s.messages.last_seq(this->key("kitchen")).value(), 1);
}

// A client retrying from several threads (or nodes) at once: exactly one attempt stores, and
// every attempt learns the one seq.
TYPED_TEST_P(MessageLogContract, ConcurrentRetriesOfOneClientMsgIdStoreOneMessage) {
  constexpr int kThreads = 8;
  std::vector<core::result<store::Appended>> got(kThreads, core::make_error_code(core::errc::internal));
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto m = this->keyed_message("lobby", "k1", "attempt " + std::to_string(t));
      ++ready;
      while (ready < kThreads) std::this_thread::yield();  // start together: maximum overlap
      got[t] = this->store().messages.append_message(m);
    });
  }
  for (auto& th : threads) th.join();
  int stored = 0;
  for (const auto& r : got) {
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->message.seq, 1);
    EXPECT_EQ(r->message.id, got[0]->message.id);
    if (!r->duplicate) ++stored;
  }
  EXPECT_EQ(stored, 1);
  auto all = this->store().messages.messages_after(this->key("lobby"), 0, 100);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().id, got[0]->message.id);
  EXPECT_EQ(this->store().messages.last_seq(this->key("lobby")).value(), 1);
}

TYPED_TEST_P(MessageLogContract, LastSeqIsTheNewestSeqAndZeroForAnUnknownRoom) {
  auto& s = this->store();
  EXPECT_EQ(s.messages.last_seq(this->key("nowhere")).value(), 0);
  this->append_n("lobby", 3);
  EXPECT_EQ(s.messages.last_seq(this->key("lobby")).value(), 3);
  EXPECT_EQ(s.messages.last_seq(this->key("kitchen")).value(), 0);
}

// "dm:<a>:<b>" is a room name like any other: numbered, paged and deduplicated on its own.
TYPED_TEST_P(MessageLogContract, DirectMessageRoomsWorkAsAnyRoom) {
  auto& s = this->store();
  auto dm = this->keyed_message("dm:ann:bob", "k1", "psst");
  dm.to = "bob";
  ASSERT_TRUE(s.messages.append_message(this->message("lobby", "public")));
  auto a = s.messages.append_message(dm);
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(a->message.seq, 1);
  EXPECT_TRUE(s.messages.append_message(dm).value().duplicate);
  ASSERT_TRUE(s.messages.append_message(this->message("dm:ann:bob", "reply")));
  auto room = this->key("dm:ann:bob");
  auto page = s.messages.messages_before(room, 0, 10).value();
  EXPECT_EQ(seqs(page), range(1, 2));
  EXPECT_EQ(page.at(0).to, "bob");
  EXPECT_EQ(page.at(0).text, "psst");
  EXPECT_EQ(seqs(s.messages.messages_after(room, 1, 10).value()), range(2, 2));
  EXPECT_EQ(s.messages.last_seq(room).value(), 2);
  EXPECT_EQ(s.messages.last_seq(this->key("lobby")).value(), 1);
}

TYPED_TEST_P(MessageLogContract, MessagesBeforeWithoutCursorReturnsNewestOldestFirst) {
  this->append_n("lobby", 10);
  auto page = this->store().messages.messages_before(this->key("lobby"), 0, 3);
  ASSERT_TRUE(page) << page.error();
  EXPECT_EQ(seqs(*page), range(8, 10));
  EXPECT_EQ(page->back().text, "9");
  EXPECT_EQ(seqs(this->store().messages.messages_before(this->key("lobby"), -5, 100).value()), range(1, 10));
}

TYPED_TEST_P(MessageLogContract, MessagesBeforePagesBackThroughHistory) {
  this->append_n("lobby", 10);
  auto room = this->key("lobby");
  EXPECT_EQ(seqs(this->store().messages.messages_before(room, 8, 3).value()), range(5, 7));
  EXPECT_EQ(seqs(this->store().messages.messages_before(room, 5, 3).value()), range(2, 4));
  EXPECT_EQ(seqs(this->store().messages.messages_before(room, 2, 3).value()), range(1, 1));
  EXPECT_TRUE(this->store().messages.messages_before(room, 1, 3).value().empty());
}

TYPED_TEST_P(MessageLogContract, MessagesAfterReturnsWhatWasMissedOldestFirst) {
  this->append_n("lobby", 10);
  auto room = this->key("lobby");
  EXPECT_EQ(seqs(this->store().messages.messages_after(room, 0, 4).value()), range(1, 4));
  EXPECT_EQ(seqs(this->store().messages.messages_after(room, 7, 100).value()), range(8, 10));
  EXPECT_TRUE(this->store().messages.messages_after(room, 10, 100).value().empty());
}

TYPED_TEST_P(MessageLogContract, MessagesOfUnknownRoomAreEmpty) {
  EXPECT_TRUE(this->store().messages.messages_before(this->key("nowhere"), 0, 10).value().empty());
  EXPECT_TRUE(this->store().messages.messages_after(this->key("nowhere"), 0, 10).value().empty());
}

// 8 threads append to two rooms at once: each room's seqs are exactly 1..N, none lost or twice.
TYPED_TEST_P(MessageLogContract, ConcurrentAppendsGiveUniqueGapFreeSeqs) {
  constexpr int kThreads = 8, kPerThreadPerRoom = 25;
  const std::vector<std::string> rooms{"lobby", "kitchen"};
  std::vector<std::vector<std::int64_t>> got(kThreads * rooms.size());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThreadPerRoom; ++i) {
        for (std::size_t r = 0; r < rooms.size(); ++r) {
          auto m = this->store().messages.append_message(this->message(rooms[r], std::to_string(t)));
          if (m) got[t * rooms.size() + r].push_back(m->message.seq);
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
    auto stored = this->store().messages.messages_after(this->key(rooms[r]), 0, static_cast<int>(kN));
    ASSERT_TRUE(stored);
    EXPECT_EQ(seqs(*stored), range(1, kN)) << rooms[r];
  }
}

// A reader following the room with messages_after while 4 threads append: what it passed is
// never filled afterwards, so it sees every stored message once, in seq order, and every
// append's seq is among them (on DynamoDB, an append a reader overtook takes a later seq).
TYPED_TEST_P(MessageLogContract, AReaderFollowingConcurrentAppendsMissesNothing) {
  constexpr int kThreads = 4, kPerThread = 50;
  const auto room = this->key("lobby");
  std::vector<std::vector<std::int64_t>> acked(kThreads);
  std::atomic<int> writing{kThreads};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto m = this->store().messages.append_message(this->message("lobby", std::to_string(t) + "-" + std::to_string(i)));
        if (m) acked[t].push_back(m->message.seq);
      }
      --writing;
    });
  }
  std::vector<std::int64_t> followed;
  for (;;) {
    const bool done = writing.load() == 0;  // then this read is the last one with news
    auto page = this->store().messages.messages_after(room, followed.empty() ? 0 : followed.back(), 7);
    if (!page) {
      ADD_FAILURE() << page.error();
      break;  // the threads are joined below
    }
    for (const auto& m : *page) followed.push_back(m.seq);
    if (done && page->empty()) break;
  }
  for (auto& th : threads) th.join();
  auto stored = this->store().messages.messages_after(room, 0, kThreads * kPerThread + 10);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->size(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_EQ(followed, seqs(*stored)) << "the reader passed a seq that was filled later";
  for (const auto& mine : acked) {
    EXPECT_EQ(mine.size(), static_cast<std::size_t>(kPerThread));
    for (auto seq : mine) EXPECT_TRUE(std::binary_search(followed.begin(), followed.end(), seq)) << seq;
  }
}

TYPED_TEST_P(MessageLogContract, EmptyRoomIsInvalidArgument) {
  auto& s = this->store();
  using core::errc;
  EXPECT_TRUE(failed_with(s.messages.append_message(store::Message{}), errc::invalid_argument));
  auto keyed_no_room = this->keyed_message("lobby", "k1");
  keyed_no_room.room.clear();
  EXPECT_TRUE(failed_with(s.messages.append_message(keyed_no_room), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.messages.messages_before("", 0, 10), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.messages.messages_after("", 0, 10), errc::invalid_argument));
  EXPECT_TRUE(failed_with(s.messages.last_seq(""), errc::invalid_argument));
  EXPECT_TRUE(s.messages.messages_before(this->key("lobby"), 0, 10).value().empty());
}

}  // namespace store_contract
