#pragma once
// The fixture and helpers of the store's contract suites (one per port). To run them include
// store_contract.hpp, which registers them; adapter tests may include this one for the helpers.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
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

inline std::vector<std::string> connection_ids(const std::vector<store::Member>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms) out.push_back(m.connection_id);
  return out;
}

inline std::vector<std::string> rooms_of(const std::vector<store::Member>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms) out.push_back(m.room);
  return out;
}

// Every field, so one EXPECT_EQ shows which differ.
inline void expect_same_message(const store::Message& got, const store::Message& want) {
  EXPECT_EQ(got.room, want.room);
  EXPECT_EQ(got.seq, want.seq);
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.sender, want.sender);
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.text, want.text);
  EXPECT_EQ(got.ts, want.ts);
  EXPECT_EQ(got.ttl, want.ttl);
  EXPECT_EQ(got.client_msg_id, want.client_msg_id);
  EXPECT_EQ(got.to, want.to);
  EXPECT_EQ(got.user_id, want.user_id);
}

template <class Harness>
class StoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tables = harness_.open();
    if (!tables) GTEST_SKIP() << "store backend not available";
    store_.emplace(*tables);
  }
  store::Tables& store() { return *store_; }
  // A key no other test (or earlier run against a shared backend) uses. A suffix, so keys made
  // from bases in sorted order are still in sorted order.
  std::string key(const std::string& base) { return base + "-" + suffix_; }

  store::Connection connection(const std::string& id, const std::string& home_room) {
    return {key(id),    "name of " + id, 1700000000123, "http://node-a:8080/prod",
            1700007200, key(home_room),  41,            "user-of-" + id};
  }
  store::Member member(const std::string& room, const std::string& id) {
    return {key(room), key(id), "name of " + id, 1700000000789, 1700007200, "", "user:" + id};
  }
  store::Message message(const std::string& room, const std::string& text) {
    return {key(room), 0, core::new_hex_id(), "sender=", "alice", text, 1700000000456, 0, "", "", "g_alice"};
  }
  store::Message keyed_message(const std::string& room, const std::string& client_msg_id,
                               const std::string& text = "hi") {
    auto m = message(room, text);
    m.client_msg_id = client_msg_id;
    return m;
  }
  // Appends n messages "0".."n-1" to room and expects them to succeed.
  void append_n(const std::string& room, int n) {
    for (int i = 0; i < n; ++i)
      ASSERT_TRUE(store().messages.append_message(message(room, std::to_string(i))));
  }

  Harness harness_;  // declared first: owns what the ports are
  std::optional<store::Tables> store_;
  std::string suffix_ = core::new_hex_id().substr(0, 12);
};

// One suite per port, so that each port's contract is named on its own in a test run.
template <class Harness>
class ConnectionTableContract : public StoreContract<Harness> {};
template <class Harness>
class MembershipsContract : public StoreContract<Harness> {};
template <class Harness>
class MessageLogContract : public StoreContract<Harness> {};
template <class Harness>
class ConnectionViewsContract : public StoreContract<Harness> {};

TYPED_TEST_SUITE_P(ConnectionTableContract);
TYPED_TEST_SUITE_P(MembershipsContract);
TYPED_TEST_SUITE_P(MessageLogContract);
TYPED_TEST_SUITE_P(ConnectionViewsContract);

}  // namespace store_contract
