#include "gateway/stored_context.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace gateway {
namespace {

boost::json::object guest() {
  boost::json::object o;
  o["userId"] = "g_5r3Yp0fQ9mC2xKd8sLw1bA";
  o["guest"] = "true";
  o["guestToken"] = std::string(200, 't');
  o["name"] = "Zoë \"quoted\" \\ \u00e9\n";  // escapes and UTF-8 survive the round trip
  o["principalId"] = "g_5r3Yp0fQ9mC2xKd8sLw1bA";
  o["integrationLatency"] = 3;
  return o;
}

TEST(StoredContext, GivesBackTheSameObject) {
  const StoredContext c(guest());
  ASSERT_TRUE(c);
  EXPECT_EQ(c.object(), guest());
  // Held as its JSON text, nothing more.
  EXPECT_EQ(c.size(), boost::json::serialize(guest()).size());
}

TEST(StoredContext, UnsetIsFalseAndAnEmptyObjectIsSet) {
  const StoredContext none;
  EXPECT_FALSE(none);
  EXPECT_TRUE(none.object().empty());
  const StoredContext empty{boost::json::object()};
  EXPECT_TRUE(empty);  // an authorizer that allowed without context still has one
  EXPECT_TRUE(empty.object().empty());
}

TEST(StoredContext, CopiesAreIndependent) {
  StoredContext a(guest());
  StoredContext b = a;
  a = StoredContext();
  EXPECT_FALSE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(b.object(), guest());
  StoredContext c;
  c = b;
  EXPECT_EQ(c.object(), guest());
}

}  // namespace
}  // namespace gateway
