#include "handlers/names.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using handlers::dm_party;
using handlers::dm_room;
using handlers::guest_name;
using handlers::is_dm_room;
using handlers::same_name;
using handlers::unique_name;
using handlers::valid_name;
using handlers::valid_room;

TEST(Names, Defaults) {
  EXPECT_EQ(handlers::default_room, "lobby");
  EXPECT_EQ(handlers::max_name_length, 32u);
  EXPECT_EQ(handlers::max_room_length, 64u);
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
                              std::string("a\nb"), std::string("dm:ann:bob"), std::string("a:b")}) {
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

// ---- same_name: equal without case ----

TEST(SameName, IgnoresAsciiCaseOnly) {
  EXPECT_TRUE(same_name("ann", "ann"));
  EXPECT_TRUE(same_name("Ann", "aNN"));
  EXPECT_TRUE(same_name("Mr. Smith_2", "MR. SMITH_2"));
  EXPECT_TRUE(same_name("", ""));
  EXPECT_FALSE(same_name("ann", "anne"));
  EXPECT_FALSE(same_name("ann", "an"));
  EXPECT_FALSE(same_name("ann", ""));
  EXPECT_FALSE(same_name("ann", "ann "));
  EXPECT_FALSE(same_name("a-b", "a_b"));
}

// ---- unique_name: the wanted name, or wanted-XXXX from the connection id ----

TEST(UniqueName, FreeNameIsKept) {
  EXPECT_EQ(unique_name("ann", std::vector<std::string>{}, "R1kmxc2VNjMCFIA="), "ann");
  EXPECT_EQ(unique_name("ann", {"bob", "anne", "ann-R1km"}, "R1kmxc2VNjMCFIA="), "ann");
}

TEST(UniqueName, TakenNameGetsTheFirstFourLettersOrDigitsOfTheId) {
  EXPECT_EQ(unique_name("ann", {"bob", "ann"}, "R1kmxc2VNjMCFIA="), "ann-R1km");
  EXPECT_EQ(unique_name("ann", {"ANN"}, "R1kmxc2VNjMCFIA="), "ann-R1km");  // without case
  EXPECT_EQ(unique_name("Ann", {"ann"}, "Mg_ugfpqPHcCIVA="), "Ann-Mgug");  // '_' skipped
}

TEST(UniqueName, TakenSuffixSlidesAlongTheId) {
  EXPECT_EQ(unique_name("ann", {"ann", "ann-R1km"}, "R1kmxc2VNjMCFIA="), "ann-1kmx");
  EXPECT_EQ(unique_name("ann", {"ann", "ANN-r1km", "ann-1kmx"}, "R1kmxc2VNjMCFIA="), "ann-kmxc");
}

TEST(UniqueName, IsAlwaysAValidNameOfAtMost32) {
  for (const std::string& wanted : {std::string(32, 'z'), std::string(31, 'z'), std::string("a"),
                                    std::string(26, 'a') + " b" + std::string(4, 'c'),
                                    std::string("x y")}) {
    const auto got = unique_name(wanted, {wanted}, "R1kmxc2VNjMCFIA=");
    EXPECT_TRUE(valid_name(got)) << got;
    EXPECT_LE(got.size(), 32u) << got;
    EXPECT_FALSE(same_name(got, wanted)) << got;
  }
  EXPECT_EQ(unique_name(std::string(32, 'z'), {std::string(32, 'Z')}, "R1kmxc2VNjMCFIA="),
            std::string(27, 'z') + "-R1km");
}

TEST(UniqueName, DiffersForTwoConnectionsWantingOneName) {
  const std::string a = unique_name("ann", {"ann"}, "R1kmxc2VNjMCFIA=");
  const std::string b = unique_name("ann", {"ann", a}, "R1kmQQQQNjMCFIA=");
  EXPECT_FALSE(same_name(a, b)) << a << " " << b;
  EXPECT_NE(b, "ann");
}

// ---- direct-message rooms ----

TEST(DmRoom, SortsTheTwoUserIds) {
  EXPECT_EQ(dm_room("g_ann", "g_bob"), "dmu:g_ann:g_bob");
  EXPECT_EQ(dm_room("g_bob", "g_ann"), "dmu:g_ann:g_bob");
  EXPECT_EQ(dm_room("u1", "u1"), "dmu:u1:u1");
  EXPECT_EQ(dm_room("Zed", "al"), "dmu:Zed:al");  // byte order: 'Z' < 'a'
  EXPECT_EQ(dm_room("al", "Zed"), "dmu:Zed:al");
}

TEST(DmRoom, EscapesColonsAndPercentsSoTheKeySplitsInTwo) {
  EXPECT_EQ(dm_room("a:b", "c"), "dmu:a%3Ab:c");
  EXPECT_EQ(dm_room("100%", "x"), "dmu:100%25:x");
  // Without escaping, ("a:b", "c") and ("a", "b:c") would share a room.
  EXPECT_NE(dm_room("a:b", "c"), dm_room("a", "b:c"));
  EXPECT_NE(dm_room("a%3Ab", "c"), dm_room("a:b", "c"));
}

TEST(DmRoom, IsNeverAValidRoomName) {
  EXPECT_FALSE(valid_room(dm_room("ann", "bob")));
  EXPECT_TRUE(is_dm_room(dm_room("ann", "bob")));
}

TEST(IsDmRoom, OnlyTheDmuPrefix) {
  EXPECT_TRUE(is_dm_room("dmu:a:b"));
  EXPECT_TRUE(is_dm_room("dmu:"));
  EXPECT_FALSE(is_dm_room("dm:ann:bob"));  // version 3's name-keyed rooms: closed
  EXPECT_FALSE(is_dm_room("dmu"));
  EXPECT_FALSE(is_dm_room("DMU:a:b"));
  EXPECT_FALSE(is_dm_room("lobby"));
  EXPECT_FALSE(is_dm_room(""));
}

TEST(DmParty, IsEitherOfTheTwoUserIdsExactly) {
  EXPECT_TRUE(dm_party("dmu:g_ann:g_bob", "g_ann"));
  EXPECT_TRUE(dm_party("dmu:g_ann:g_bob", "g_bob"));
  EXPECT_TRUE(dm_party(dm_room("a:b", "c"), "a:b"));
  EXPECT_TRUE(dm_party(dm_room("a:b", "c"), "c"));
  EXPECT_FALSE(dm_party(dm_room("a:b", "c"), "a"));
  EXPECT_FALSE(dm_party(dm_room("a:b", "c"), "b"));
  EXPECT_FALSE(dm_party(dm_room("a", "b:c"), "a:b"));
  EXPECT_FALSE(dm_party("dmu:g_ann:g_bob", "G_ann"));
  EXPECT_FALSE(dm_party("dmu:g_ann:g_bob", "g_an"));
  EXPECT_FALSE(dm_party("dmu:g_ann:g_bob", "g_ann:g_bob"));
  EXPECT_FALSE(dm_party("dmu:g_ann:g_bob", ""));
  EXPECT_FALSE(dm_party("dmu:g_ann:g_bob:x", "g_ann"));
  EXPECT_FALSE(dm_party("dmu:g_anng_bob", "g_anng_bob"));
  EXPECT_FALSE(dm_party("dm:ann:bob", "ann"));
  EXPECT_FALSE(dm_party("lobby", "lobby"));
}

}  // namespace
