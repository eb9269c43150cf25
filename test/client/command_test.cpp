#include "client/command.hpp"

#include <gtest/gtest.h>

namespace {

using client::Command;
using Kind = Command::Kind;

TEST(Command, TextIsSaid) {
  auto c = Command::parse("hello there");
  EXPECT_EQ(c.kind, Kind::say);
  EXPECT_EQ(c.text, "hello there");
  c = Command::parse("//slash");
  EXPECT_EQ(c.kind, Kind::say);
  EXPECT_EQ(c.text, "/slash");
}

TEST(Command, RoomCommands) {
  auto c = Command::parse("/join dev");
  EXPECT_EQ(c.kind, Kind::join);
  EXPECT_EQ(c.room, "dev");
  EXPECT_EQ(Command::parse("/room  dev ").room, "dev");
  EXPECT_EQ(Command::parse("/leave").kind, Kind::leave);
  EXPECT_EQ(Command::parse("/leave").room, "");
  EXPECT_EQ(Command::parse("/leave dev").room, "dev");
  EXPECT_EQ(Command::parse("/who").kind, Kind::who);
  EXPECT_EQ(Command::parse("/history lobby").kind, Kind::history);
  EXPECT_EQ(Command::parse("/history lobby").room, "lobby");
}

TEST(Command, DirectMessage) {
  auto c = Command::parse("/dm bob  see you at 5 ");
  EXPECT_EQ(c.kind, Kind::dm);
  EXPECT_EQ(c.name, "bob");
  EXPECT_EQ(c.text, "see you at 5");
  EXPECT_EQ(Command::parse("/dm bob").kind, Kind::invalid);
}

TEST(Command, NameMayHaveSpaces) {
  auto c = Command::parse("/name Ann Smith");
  EXPECT_EQ(c.kind, Kind::name);
  EXPECT_EQ(c.name, "Ann Smith");
}

TEST(Command, QuitAndHelp) {
  EXPECT_EQ(Command::parse("/quit").kind, Kind::quit);
  EXPECT_EQ(Command::parse("/help").kind, Kind::help);
}

TEST(Command, Invalid) {
  EXPECT_EQ(Command::parse("/join").kind, Kind::invalid);
  EXPECT_EQ(Command::parse("/join a b").kind, Kind::invalid);
  auto c = Command::parse("/frobnicate");
  EXPECT_EQ(c.kind, Kind::invalid);
  EXPECT_NE(c.text.find("/frobnicate"), std::string::npos);
}

}  // namespace
