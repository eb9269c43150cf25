// store::Faulty, the --store-faults test hook: the spec's grammar (every mistake named), errors
// that leave the store untouched, delays, rules limited to operations, and a seed that decides
// which calls fail.
#include "store/fault_store.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "core/log.hpp"
#include "sqlite_test_support.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using namespace sqlite_test;

struct FaultyFixture : ::testing::Test {
  TempDir dir;
  std::unique_ptr<store::Store> inner;
  void SetUp() override {
    core::log::set_level(core::log::level::warn);  // not a line per injected fault
    auto s = store::open_sqlite(dir.path() / "parley.db");
    ASSERT_TRUE(s) << s.error();
    inner = std::move(*s);
  }
  store::Message message(const std::string& text) {
    store::Message m;
    m.room = "r";
    m.id = text;
    m.sender = "c";
    m.name = "ann";
    m.text = text;
    m.ts = 1;
    return m;
  }
};

TEST(FaultSpec, ParsesSeedAndRules) {
  auto s = store::parse_fault_spec("seed=42;append_message+members:error:0.25;*:delay:0.5:300");
  EXPECT_EQ(s.seed, 42u);
  ASSERT_EQ(s.rules.size(), 2u);
  EXPECT_EQ(s.rules[0].kind, store::FaultRule::error);
  EXPECT_EQ(s.rules[0].ops, (std::vector<std::string>{"append_message", "members"}));
  EXPECT_DOUBLE_EQ(s.rules[0].probability, 0.25);
  EXPECT_EQ(s.rules[1].kind, store::FaultRule::delay);
  EXPECT_TRUE(s.rules[1].ops.empty());
  EXPECT_EQ(s.rules[1].delay_ms, 300);
}

TEST(FaultSpec, RefusesWhatItCannotRead) {
  for (const char* bad : {"append_message:error", "append:error:0.1", "*:error:1.5", "*:error:x",
                          "*:delay:0.1", "*:delay:0.1:-3", "*:boom:0.1", "seed=", "seed=x"}) {
    try {
      store::parse_fault_spec(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("--store-faults"), std::string::npos) << e.what();
    }
  }
}

TEST_F(FaultyFixture, AnInjectedErrorNeverReachesTheStore) {
  store::Faulty faulty(inner->tables(), store::parse_fault_spec("append_message:error:1"));
  auto r = faulty.append_message(message("lost"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), core::make_error_code(core::errc::store_unavailable));
  // Nothing was stored: the failed call had no effect, and other operations are not touched.
  auto seq = faulty.last_seq("r");
  ASSERT_TRUE(seq);
  EXPECT_EQ(*seq, 0);
}

TEST_F(FaultyFixture, ADelayStallsTheCallThenLetsItThrough) {
  store::Faulty faulty(inner->tables(), store::parse_fault_spec("last_seq:delay:1:120"));
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(faulty.last_seq("r"));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(120));
  const auto quick = std::chrono::steady_clock::now();
  ASSERT_TRUE(faulty.append_message(message("m1")));
  EXPECT_LT(std::chrono::steady_clock::now() - quick, std::chrono::milliseconds(120));
}

// The same seed fails the same calls; another seed fails others.
TEST_F(FaultyFixture, TheSeedDecidesWhichCallsFail) {
  auto pattern = [&](const std::string& spec) {
    store::Faulty faulty(inner->tables(), store::parse_fault_spec(spec));
    std::string out;
    for (int i = 0; i < 64; ++i) out += faulty.last_seq("r") ? '.' : 'x';
    return out;
  };
  const auto a = pattern("seed=3;*:error:0.5");
  EXPECT_EQ(a, pattern("seed=3;*:error:0.5"));
  EXPECT_NE(a, pattern("seed=4;*:error:0.5"));
  EXPECT_NE(a.find('x'), std::string::npos);
  EXPECT_NE(a.find('.'), std::string::npos);
}

}  // namespace
