#include "fake_store.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "../store/store_contract.hpp"

// The fake is held to the Store contract every adapter passes, so handler tests run against
// the behaviour the real stores have.
namespace {

struct FakeHarness {
  std::unique_ptr<store::Store> open() { return std::make_unique<fakes::FakeStore>(); }
};

TEST(FakeStore, FailAllMakesEveryCallStoreUnavailable) {
  fakes::FakeStore s;
  store::Connection c{"a=", "lobby", "alice", 1, "", 0};
  ASSERT_TRUE(s.put_connection(c));
  s.fail_all();
  const auto unavailable = core::make_error_code(core::errc::store_unavailable);
  EXPECT_EQ(s.put_connection(c).error(), unavailable);
  EXPECT_EQ(s.get_connection("a=").error(), unavailable);
  EXPECT_EQ(s.delete_connection("a=").error(), unavailable);
  EXPECT_EQ(s.connections_in_room("lobby").error(), unavailable);
  EXPECT_EQ(s.append_message(store::Message{"lobby", 0, "id", "a=", "alice", "t", 1, 0}).error(), unavailable);
  EXPECT_EQ(s.messages_before("lobby", 0, 1).error(), unavailable);
  EXPECT_EQ(s.messages_after("lobby", 0, 1).error(), unavailable);
  EXPECT_EQ(s.connection_count(), 1u);  // nothing changed
  EXPECT_EQ(s.message_count(), 0u);
  s.fail_all(false);
  EXPECT_TRUE(s.get_connection("a="));
}

TEST(FakeStore, FailOneOperationOnly) {
  fakes::FakeStore s;
  s.fail(fakes::FakeStore::Op::append_message);
  EXPECT_TRUE(s.put_connection(store::Connection{"a=", "lobby", "alice", 1, "", 0}));
  EXPECT_EQ(s.append_message(store::Message{"lobby", 0, "id", "a=", "alice", "t", 1, 0}).error(),
            core::errc::store_unavailable);
  EXPECT_EQ(s.calls(fakes::FakeStore::Op::append_message), 1);
  s.fail(fakes::FakeStore::Op::append_message, false);
  EXPECT_EQ(s.append_message(store::Message{"lobby", 0, "id", "a=", "alice", "t", 1, 0}).value().seq, 1);
}

}  // namespace

namespace store_contract {
INSTANTIATE_TYPED_TEST_SUITE_P(Fake, StoreContract, ::testing::Types<FakeHarness>);
}  // namespace store_contract
