#include "handlers/names.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using handlers::guest_name;
using handlers::valid_name;
using handlers::valid_room;

TEST(Names, Defaults) {
  EXPECT_EQ(handlers::default_room, "lobby");
  EXPECT_EQ(handlers::max_name_length, 32u);
  EXPECT_TRUE(valid_room(handlers::default_room));
}

TEST(ValidName, AcceptsLettersDigitsSpaceUnderscoreDashDot) {
  for (const std::string& n : {std::string("a"), std::string("alice"), std::string("Alice Smith"),
                              std::string("a_b-c.d"), std::string("007"), std::string(32, 'z'),
                              std::string("guest-R1km"), std::string("a  b")}) {
    EXPECT_TRUE(valid_name(n)) << n;
  }
}

TEST(ValidName, RefusesEverythingElse) {
  for (const std::string& n :
       {std::string(), std::string(33, 'z'), std::string(" a"), std::string("a "), std::string(" "),
        std::string("a\tb"), std::string("a\nb"), std::string("a/b"), std::string("a=b"),
        std::string("<b>"), std::string("a'b"), std::string("a\"b"), std::string("\xC3\xA9"),
        std::string("a\0b", 3), std::string("a+b"), std::string("a%20b")}) {
    EXPECT_FALSE(valid_name(n)) << n;
  }
}

TEST(ValidRoom, AcceptsLettersDigitsUnderscoreDashDot) {
  for (const std::string& r : {std::string("lobby"), std::string("r"), std::string("team-1.a_b"),
                              std::string(64, 'r')}) {
    EXPECT_TRUE(valid_room(r)) << r;
  }
}

TEST(ValidRoom, RefusesEverythingElse) {
  for (const std::string& r : {std::string(), std::string(65, 'r'), std::string("a b"), std::string("a/b"),
                              std::string("#x"), std::string("\xC3\xA9"), std::string("a\0b", 3),
                              std::string("a\nb")}) {
    EXPECT_FALSE(valid_room(r)) << r;
  }
}

TEST(GuestName, TakesTheFirstFourLettersOrDigitsOfTheId) {
  EXPECT_EQ(guest_name("R1kmxc2VNjMCFIA="), "guest-R1km");
  EXPECT_EQ(guest_name("Mg_ugfpqPHcCIVA="), "guest-Mgug");
  EXPECT_EQ(guest_name("-_-_ab-_cd"), "guest-abcd");
}

TEST(GuestName, IsAValidName) {
  for (const char* id : {"R1kmxc2VNjMCFIA=", "___-___-_a=", "", "="}) {
    EXPECT_TRUE(valid_name(guest_name(id))) << id;
  }
}

}  // namespace
