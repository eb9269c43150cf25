#include "core/error.hpp"

#include <gtest/gtest.h>

#include <boost/system/system_error.hpp>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace {

using core::errc;

TEST(ErrorCategory, IsNamedParley) {
  EXPECT_STREQ(core::category().name(), "parley");
  EXPECT_EQ(&core::category(), &core::category());  // one instance: codes compare equal
}

TEST(ErrorCategory, HasAMessageForEveryCode) {
  const std::vector<std::pair<errc, std::string>> expected{
      {errc::ok, "ok"},
      {errc::not_found, "not found"},
      {errc::gone, "connection gone"},
      {errc::payload_too_large, "payload too large"},
      {errc::limit_exceeded, "limit exceeded"},
      {errc::invalid_argument, "invalid argument"},
      {errc::conflict, "conflict"},
      {errc::store_unavailable, "store unavailable"},
      {errc::forbidden, "forbidden"},
      {errc::internal, "internal error"},
  };
  for (const auto& [e, text] : expected) {
    EXPECT_EQ(core::make_error_code(e).message(), text) << static_cast<int>(e);
  }
}

TEST(ErrorCategory, UnknownValueHasAGenericMessage) {
  EXPECT_EQ(core::category().message(1000), "unknown parley error");
  EXPECT_EQ(core::category().message(-1), "unknown parley error");
}

TEST(ErrorCode, HasOurCategoryAndValue) {
  const boost::system::error_code ec = core::make_error_code(errc::gone);
  EXPECT_EQ(&ec.category(), &core::category());
  EXPECT_EQ(ec.value(), 2);
  EXPECT_TRUE(ec.failed());
}

TEST(ErrorCode, ConvertsImplicitlyFromErrc) {
  boost::system::error_code ec = errc::store_unavailable;
  EXPECT_EQ(ec, core::make_error_code(errc::store_unavailable));
  EXPECT_TRUE(ec == errc::store_unavailable);
  EXPECT_TRUE(ec != errc::not_found);
}

TEST(ErrorCode, OkIsNotAFailure) {
  const boost::system::error_code ec = errc::ok;
  EXPECT_FALSE(ec.failed());
  EXPECT_FALSE(static_cast<bool>(ec));
}

TEST(ErrorCode, DiffersFromTheGenericCodeWithTheSameName) {
  const boost::system::error_code ours = errc::invalid_argument;
  const boost::system::error_code generic =
      boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
  EXPECT_NE(ours, generic);
}

TEST(ErrorCode, KeepsItsMessageAsAStdErrorCode) {
  const std::error_code s = boost::system::error_code(errc::gone);
  EXPECT_TRUE(static_cast<bool>(s));
  EXPECT_EQ(s.message(), "connection gone");
}

TEST(Result, HoldsAValue) {
  core::result<int> r = 42;
  ASSERT_TRUE(r);
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(r.value(), 42);
}

TEST(Result, HoldsAnErrcAsError) {
  core::result<std::string> r = errc::not_found;
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.has_error());
  EXPECT_EQ(r.error(), errc::not_found);
  EXPECT_EQ(r.error().message(), "not found");
}

TEST(Result, ValueOfAnErrorThrowsSystemErrorWithTheCode) {
  core::result<int> r = errc::store_unavailable;
  try {
    (void)r.value();
    FAIL() << "value() of an error did not throw";
  } catch (const boost::system::system_error& e) {
    EXPECT_EQ(e.code(), errc::store_unavailable);
  }
}

TEST(Result, VoidSuccessAndFailure) {
  core::result<void> ok;
  EXPECT_TRUE(ok);
  core::result<void> bad = errc::gone;
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), errc::gone);
}

core::result<int> parse_positive(int v) {
  if (v <= 0) return errc::invalid_argument;
  return v;
}

TEST(Result, FunctionsReturnErrcDirectly) {
  EXPECT_EQ(parse_positive(3).value(), 3);
  EXPECT_EQ(parse_positive(0).error(), errc::invalid_argument);
}

}  // namespace
