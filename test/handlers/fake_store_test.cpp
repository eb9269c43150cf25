#include "fake_store.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "../store/store_contract.hpp"

// The fake is held to the Store contract every adapter passes, so handler tests run against
// the behaviour the real stores have.
namespace {

using Op = fakes::FakeStore::Op;

struct FakeHarness {
  fakes::FakeStore fake;
  std::optional<store::Tables> open() { return fake.tables(); }
};

store::Connection conn(const std::string& id) {
  store::Connection c;
  c.connection_id = id;
  c.name = "alice";
  c.home_room = "lobby";
  return c;
}

store::Member member(const std::string& room, const std::string& id) {
  return store::Member{room, id, "alice", 1, 0};
}

store::Message msg(const std::string& room, const std::string& client_msg_id = "") {
  store::Message m;
  m.room = room;
  m.id = "id";
  m.sender = "a=";
  m.name = "alice";
  m.text = "t";
  m.client_msg_id = client_msg_id;
  return m;
}

TEST(FakeStore, FailAllMakesEveryCallStoreUnavailable) {
  fakes::FakeStore s;
  ASSERT_TRUE(s.put_connection(conn("a=")));
  ASSERT_TRUE(s.put_member(member("lobby", "a=")));
  ASSERT_TRUE(s.append_message(msg("lobby")));
  s.fail_all();
  const auto unavailable = core::make_error_code(core::errc::store_unavailable);
  EXPECT_EQ(s.put_connection(conn("b=")).error(), unavailable);
  EXPECT_EQ(s.get_connection("a=").error(), unavailable);
  EXPECT_EQ(s.delete_connection("a=").error(), unavailable);
  EXPECT_EQ(s.put_member(member("lobby", "b=")).error(), unavailable);
  EXPECT_EQ(s.delete_member("lobby", "a=").error(), unavailable);
  EXPECT_EQ(s.members("lobby").error(), unavailable);
  EXPECT_EQ(s.memberships("a=").error(), unavailable);
  EXPECT_EQ(s.append_message(msg("lobby")).error(), unavailable);
  EXPECT_EQ(s.messages_before("lobby", 0, 1).error(), unavailable);
  EXPECT_EQ(s.messages_after("lobby", 0, 1).error(), unavailable);
  EXPECT_EQ(s.last_seq("lobby").error(), unavailable);
  // Nothing changed.
  EXPECT_EQ(s.connection_count(), 1u);
  EXPECT_EQ(s.member_count(), 1u);
  EXPECT_EQ(s.message_count(), 1u);
  s.fail_all(false);
  EXPECT_TRUE(s.get_connection("a="));
  EXPECT_EQ(s.last_seq("lobby").value(), 1);
}

TEST(FakeStore, FailOneOperationOnly) {
  fakes::FakeStore s;
  s.fail(Op::append_message);
  EXPECT_TRUE(s.put_connection(conn("a=")));
  EXPECT_TRUE(s.put_member(member("lobby", "a=")));
  EXPECT_EQ(s.append_message(msg("lobby")).error(), core::errc::store_unavailable);
  EXPECT_TRUE(s.last_seq("lobby"));
  EXPECT_EQ(s.calls(Op::append_message), 1);
  s.fail(Op::append_message, false);
  EXPECT_EQ(s.append_message(msg("lobby")).value().message.seq, 1);
  EXPECT_EQ(s.calls(Op::append_message), 2);
}

TEST(FakeStore, EveryOperationCanFailAlone) {
  for (auto op : {Op::put_connection, Op::get_connection, Op::delete_connection, Op::put_member,
                  Op::delete_member, Op::members, Op::memberships, Op::append_message,
                  Op::messages_before, Op::messages_after, Op::last_seq}) {
    SCOPED_TRACE(static_cast<int>(op));
    fakes::FakeStore s;
    s.fail(op);
    int failed = 0;
    failed += !s.put_connection(conn("a="));
    failed += !s.get_connection("a=");
    failed += !s.delete_connection("a=");
    failed += !s.put_member(member("lobby", "a="));
    failed += !s.delete_member("lobby", "a=");
    failed += !s.members("lobby");
    failed += !s.memberships("a=");
    failed += !s.append_message(msg("lobby"));
    failed += !s.messages_before("lobby", 0, 1);
    failed += !s.messages_after("lobby", 0, 1);
    failed += !s.last_seq("lobby");
    // When put_connection fails, the get that follows is not_found: a failure of its own.
    EXPECT_EQ(failed, op == Op::put_connection ? 2 : 1);
    EXPECT_EQ(s.calls(op), 1);
  }
}

TEST(FakeStore, FailFromTheNthCall) {
  fakes::FakeStore s;
  ASSERT_TRUE(s.put_member(member("lobby", "a=")));
  s.fail_from(Op::put_member, 2);
  EXPECT_TRUE(s.put_member(member("lobby", "b=")));
  EXPECT_FALSE(s.put_member(member("lobby", "c=")));
  EXPECT_FALSE(s.put_member(member("lobby", "d=")));
  EXPECT_EQ(s.member_ids("lobby"), (std::vector<std::string>{"a=", "b="}));
  s.fail(Op::put_member, false);
  EXPECT_TRUE(s.put_member(member("lobby", "d=")));
}

TEST(FakeStore, BeforeHookRunsAheadOfTheCallAndMayUseTheStore) {
  fakes::FakeStore s;
  int runs = 0;
  s.before(Op::last_seq, [&] {
    if (runs++ == 0) {
      ASSERT_TRUE(s.append_message(msg("lobby")));
    }
  });
  EXPECT_EQ(s.last_seq("lobby").value(), 1);
  EXPECT_EQ(s.last_seq("lobby").value(), 1);
  EXPECT_EQ(runs, 2);
}

TEST(FakeStore, CallLogIsInOrder) {
  fakes::FakeStore s;
  (void)s.get_connection("x=");
  (void)s.members("lobby");
  (void)s.last_seq("lobby");
  EXPECT_EQ(s.call_log(), (std::vector<Op>{Op::get_connection, Op::members, Op::last_seq}));
}

TEST(FakeStore, InspectionSeesRoomsAndMembersInKeyOrder) {
  fakes::FakeStore s;
  for (auto room : {"lobby", "attic", "kitchen"}) ASSERT_TRUE(s.put_member(member(room, "b=")));
  ASSERT_TRUE(s.put_member(member("lobby", "a=")));
  EXPECT_EQ(s.rooms_of("b="), (std::vector<std::string>{"attic", "kitchen", "lobby"}));
  EXPECT_EQ(s.member_ids("lobby"), (std::vector<std::string>{"a=", "b="}));
  ASSERT_TRUE(s.member("attic", "b="));
  EXPECT_FALSE(s.member("attic", "a="));
  EXPECT_EQ(s.member_count(), 4u);
}

// A duplicate is judged on (room, clientMsgId) only and returns the stored message untouched.
TEST(FakeStore, DuplicateReturnsTheStoredMessage) {
  fakes::FakeStore s;
  auto first = msg("lobby", "k");
  first.text = "first";
  ASSERT_FALSE(s.append_message(first).value().duplicate);
  auto again = msg("lobby", "k");
  again.text = "again";
  const auto d = s.append_message(again).value();
  EXPECT_TRUE(d.duplicate);
  EXPECT_EQ(d.message.text, "first");
  EXPECT_EQ(d.message.seq, 1);
  EXPECT_EQ(s.message_count(), 1u);
}

}  // namespace

namespace store_contract {
INSTANTIATE_STORE_CONTRACT(Fake, FakeHarness);
}  // namespace store_contract
