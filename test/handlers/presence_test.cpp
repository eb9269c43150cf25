#include "handlers/presence.hpp"

#include <gtest/gtest.h>

#include "chat_fixture.hpp"
#include "handlers/membership.hpp"

namespace {

using fakes::message_event;
using fakes::str;
using Op = fakes::FakeStore::Op;
namespace json = boost::json;

// ---- who ----

class Who : public fakes::ChatTest {
 protected:
  apigw::Response who(const std::string& from, std::optional<std::string> body) {
    return handlers::who(message_event(from, std::move(body), "who"), ports_);
  }
};

TEST_F(Who, ListsTheMembersInOrderOfArrivalToTheAskerOnly) {
  add_member(D, "lobby", "alice-DDDD", 1738404000999);
  EXPECT_EQ(who(B, R"({"action":"who","room":"lobby"})").status_code, 200);
  EXPECT_EQ(only_event_to(B),
            (json::object{{"type", "members"},
                          {"room", "lobby"},
                          {"members", json::array{json::object{{"name", "alice"}, {"connectionId", A}, {"userId", "u-AAAA"}, {"joinedAt", fakes::connected_at}},
                                                  json::object{{"name", "bob"}, {"connectionId", B}, {"userId", "u-BBBB"}, {"joinedAt", fakes::connected_at}},
                                                  json::object{{"name", "alice-DDDD"}, {"connectionId", D}, {"userId", "u-DDDD"}, {"joinedAt", 1738404000999}}}},
                          {"count", 3}}));
  EXPECT_EQ(connections_.posts().size(), 1u);
}

// Past presence_room_limit the list would pass the 128 KB frame limit: the earliest arrivals,
// and how many there are in all.
TEST_F(Who, ALargeRoomListsItsEarliestArrivalsAndTheCount) {
  const std::size_t n = handlers::presence_room_limit + 5;
  for (std::size_t i = 0; i < n; ++i)
    add_member("late" + std::to_string(i), "lobby", "m" + std::to_string(i),
               fakes::connected_at + 1000 + static_cast<std::int64_t>(i));
  who(A, R"({"action":"who","room":"lobby"})");
  const auto m = only_event_to(A);
  const auto& list = m.at("members").as_array();
  ASSERT_EQ(list.size(), handlers::presence_room_limit);
  EXPECT_EQ(m.at("count").as_int64(), static_cast<std::int64_t>(n + 2));
  EXPECT_EQ(list.at(0).at("connectionId"), A);  // alice and bob came first
  EXPECT_EQ(list.at(1).at("connectionId"), B);
  EXPECT_EQ(list.at(2).at("name"), "m0");
  EXPECT_LT(json::serialize(m).size(), 131072u);
}

TEST_F(Who, AloneInARoom) {
  who(C, R"({"action":"who","room":"kitchen"})");
  const auto m = only_event_to(C);
  ASSERT_EQ(m.at("members").as_array().size(), 1u);
  EXPECT_EQ(m.at("members").at(0).at("connectionId"), C);
}

TEST_F(Who, ARoomYouAreNotInIsNotMember) {
  for (const std::string& room : {std::string("kitchen"), std::string("attic"), std::string(""),
                                  std::string("dm:alice:bob"), std::string(65, 'x')}) {
    SCOPED_TRACE(room);
    connections_.clear();
    who(A, fakes::body(json::object{{"action", "who"}, {"room", room}}));
    expect_only_error_to(A, "not_member", "who");
  }
}

TEST_F(Who, AMissingOrMistypedRoomIsBadRequest) {
  for (std::optional<std::string> body :
       {std::optional<std::string>(R"({"action":"who"})"), std::optional<std::string>(R"({"action":"who","room":{}})"),
        std::optional<std::string>(R"({"action":"who","room":false})"), std::optional<std::string>("who"),
        std::optional<std::string>()}) {
    connections_.clear();
    who(A, body);
    expect_only_error_to(A, "bad_request", "who");
  }
}

TEST_F(Who, AStoreFailureIsInternal) {
  store_.fail(Op::members);
  who(A, R"({"action":"who","room":"lobby"})");
  expect_only_error_to(A, "internal", "who");
}

// ---- setname ----

class SetName : public fakes::ChatTest {
 protected:
  void SetUp() override {
    ChatTest::SetUp();
    add_member(A, "kitchen", "alice");  // alice: lobby (with bob) and kitchen (with carol)
  }
  apigw::Response setname(const std::string& from, std::optional<std::string> body) {
    return handlers::setname(message_event(from, std::move(body), "setname"), ports_);
  }
  apigw::Response setname_to(const std::string& from, const std::string& name) {
    return setname(from, fakes::body(json::object{{"action", "setname"}, {"name", name}}));
  }
};

TEST_F(SetName, RenamesTheConnectionAndEveryMemberRow) {
  EXPECT_EQ(setname_to(A, "ann").status_code, 200);
  EXPECT_EQ(store_.connection(A)->name, "ann");
  EXPECT_EQ(store_.member("lobby", A)->name, "ann");
  EXPECT_EQ(store_.member("kitchen", A)->name, "ann");
  EXPECT_EQ(store_.member("lobby", A)->joined_at, fakes::connected_at);  // only the name changes
}

TEST_F(SetName, AnswersNameWithTheNameShownInEachRoom) {
  setname_to(A, "ann");
  EXPECT_EQ(only_event_to(A), (json::object{{"type", "name"},
                                            {"name", "ann"},
                                            {"rooms", json::object{{"kitchen", "ann"}, {"lobby", "ann"}}}}));
}

TEST_F(SetName, AnnouncesTheRenameToEachRoomsOtherMembers) {
  setname_to(A, "ann");
  EXPECT_EQ(only_event_to(B), (json::object{{"type", "presence"},
                                            {"room", "lobby"},
                                            {"event", "rename"},
                                            {"name", "ann"},
                                            {"connectionId", A},
                                            {"userId", "u-AAAA"},
                                            {"oldName", "alice"}}));
  EXPECT_EQ(only_event_to(C), (json::object{{"type", "presence"},
                                            {"room", "kitchen"},
                                            {"event", "rename"},
                                            {"name", "ann"},
                                            {"connectionId", A},
                                            {"userId", "u-AAAA"},
                                            {"oldName", "alice"}}));
  EXPECT_EQ(types_to(A), std::vector<std::string>{"name"});
}

// Nobody waits on presence: its frames may wait for the next ones to share a write; the answer
// to the one who asked may not.
TEST_F(SetName, TheAnnouncementsMayLingerTheAnswerMayNot) {
  setname_to(A, "ann");
  ASSERT_FALSE(connections_.posts_to(B).empty());
  for (const auto& p : connections_.posts_to(B)) EXPECT_TRUE(p.options.linger);
  for (const auto& p : connections_.posts_to(C)) EXPECT_TRUE(p.options.linger);
  ASSERT_FALSE(connections_.posts_to(A).empty());
  for (const auto& p : connections_.posts_to(A)) EXPECT_FALSE(p.options.linger);
}

TEST_F(SetName, ANameTakenInARoomIsMadeUniqueThereOnly) {
  setname_to(A, "Carol");
  EXPECT_EQ(store_.connection(A)->name, "Carol");
  EXPECT_EQ(store_.member("kitchen", A)->name, "Carol-AAAA");
  EXPECT_EQ(store_.member("lobby", A)->name, "Carol");
  EXPECT_EQ(only_event_to(A).at("rooms"), (json::object{{"kitchen", "Carol-AAAA"}, {"lobby", "Carol"}}));
  EXPECT_EQ(str(only_event_to(C).at("name")), "Carol-AAAA");
  EXPECT_EQ(str(only_event_to(B).at("name")), "Carol");
}

TEST_F(SetName, NoAnnouncementWhereTheShownNameDidNotChange) {
  setname_to(A, "alice");
  EXPECT_EQ(only_event_to(A).at("rooms"), (json::object{{"kitchen", "alice"}, {"lobby", "alice"}}));
  EXPECT_TRUE(connections_.attempts_to(B).empty());
  EXPECT_TRUE(connections_.attempts_to(C).empty());
  EXPECT_EQ(store_.calls(Op::put_member), 4);  // the fixture's only
}

TEST_F(SetName, NoAnnouncementWhenTheUniqueNameComesOutTheSame) {
  // bob is "bob-BBBB" in kitchen, where dave is "bob"; asking for "bob" again keeps it.
  seed(D, "bob", "kitchen");
  add_member(B, "kitchen", "bob-BBBB");
  connections_.clear();
  setname_to(B, "bob");
  EXPECT_EQ(only_event_to(B).at("rooms"), (json::object{{"kitchen", "bob-BBBB"}, {"lobby", "bob"}}));
  EXPECT_TRUE(connections_.attempts_to(A).empty());
  EXPECT_TRUE(connections_.attempts_to(C).empty());
  EXPECT_TRUE(connections_.attempts_to(D).empty());
}

TEST_F(SetName, AnnouncedInEachRoomWithTheOldNameShownThere) {
  seed(D, "bob", "kitchen");
  add_member(B, "kitchen", "bob-BBBB");
  connections_.clear();
  setname_to(B, "Bobby");
  // alice is in both rooms and hears of both renames.
  const auto to_a = events_to(A);
  ASSERT_EQ(to_a.size(), 2u);
  EXPECT_EQ(to_a[0].at("room"), "kitchen");  // bob's rooms in order
  EXPECT_EQ(to_a[0].at("oldName"), "bob-BBBB");
  EXPECT_EQ(to_a[1].at("room"), "lobby");
  EXPECT_EQ(to_a[1].at("oldName"), "bob");
  EXPECT_EQ(only_event_to(C).at("oldName"), "bob-BBBB");
  EXPECT_EQ(only_event_to(D).at("name"), "Bobby");
}

TEST_F(SetName, AChangeOfCaseIsARename) {
  setname_to(A, "Alice");
  EXPECT_EQ(store_.member("lobby", A)->name, "Alice");
  EXPECT_EQ(only_event_to(B).at("oldName"), "alice");
}

TEST_F(SetName, YourOwnOldNameDoesNotBlockYou) {
  ASSERT_TRUE(store_.put_member(store::Member{"lobby", A, "alice-AAAA", 1, 0}));
  setname_to(A, "ALICE");
  EXPECT_EQ(store_.member("lobby", A)->name, "ALICE");
}

TEST_F(SetName, InNoRoomOnlyTheConnectionIsRenamed) {
  seed(D, "dave", "attic");
  ASSERT_TRUE(store_.delete_member("attic", D));
  setname_to(D, "david");
  EXPECT_EQ(store_.connection(D)->name, "david");
  EXPECT_EQ(only_event_to(D), (json::object{{"type", "name"}, {"name", "david"}, {"rooms", json::object{}}}));
}

TEST_F(SetName, BadNamesAreBadNameAndChangeNothing) {
  for (const std::string& name : {std::string(""), std::string(33, 'x'), std::string(" ann"), std::string("ann "),
                                  std::string("a:b"), std::string("<b>"), std::string("\xC3\xA9"),
                                  std::string("a\0b", 3), std::string("a\nb")}) {
    SCOPED_TRACE(name);
    connections_.clear();
    setname(A, fakes::body(json::object{{"action", "setname"}, {"name", name}, {"clientMsgId", "n1"}}));
    expect_only_error_to(A, "bad_name", "setname", "n1");
  }
  EXPECT_EQ(store_.connection(A)->name, "alice");
  EXPECT_EQ(store_.calls(Op::put_connection), 3);
}

TEST_F(SetName, AMissingOrMistypedNameIsBadRequest) {
  for (std::optional<std::string> body :
       {std::optional<std::string>(R"({"action":"setname"})"), std::optional<std::string>(R"({"action":"setname","name":["x"]})"),
        std::optional<std::string>(R"({"action":"setname","name":null})"),
        std::optional<std::string>(R"({"action":"setname","name":5})"), std::optional<std::string>("x"),
        std::optional<std::string>()}) {
    connections_.clear();
    setname(A, body);
    expect_only_error_to(A, "bad_request", "setname");
  }
  EXPECT_EQ(store_.connection(A)->name, "alice");
}

TEST_F(SetName, AFailureBeforeAnyWriteIsInternalAndChangesNothing) {
  for (auto op : {Op::get_connection, Op::put_connection}) {
    SCOPED_TRACE(static_cast<int>(op));
    connections_.clear();
    store_.fail(op);
    setname_to(A, "ann");
    expect_only_error_to(A, "internal", "setname");
    store_.fail(op, false);
    EXPECT_EQ(store_.connection(A)->name, "alice");
    EXPECT_EQ(store_.member("lobby", A)->name, "alice");
  }
}

// All or nothing: the second member row's write fails after the first one's succeeded. The
// name stays "alice" everywhere and nobody is told of a rename.
TEST_F(SetName, AFailureMidwayLeavesTheNameUnchangedEverywhereAndAnnouncesNothing) {
  add_member(A, "garden", "alice");
  store_.fail_once(Op::put_member, 2);
  setname_to(A, "ann");
  expect_only_error_to(A, "internal", "setname");
  EXPECT_EQ(store_.connection(A)->name, "alice");
  for (const char* room : {"garden", "kitchen", "lobby"}) {
    SCOPED_TRACE(room);
    EXPECT_EQ(store_.member(room, A)->name, "alice");
  }
  EXPECT_TRUE(events_to(B).empty());
  EXPECT_TRUE(events_to(C).empty());
  // And a retry renames everywhere.
  connections_.clear();
  setname_to(A, "ann");
  EXPECT_EQ(store_.connection(A)->name, "ann");
  for (const char* room : {"garden", "kitchen", "lobby"}) EXPECT_EQ(store_.member(room, A)->name, "ann");
}

// The connection row is written last: its failure takes back the member rows already renamed.
TEST_F(SetName, AFailingConnectionWriteTakesBackTheMemberRows) {
  store_.fail_once(Op::put_connection, 1);
  setname_to(A, "ann");
  expect_only_error_to(A, "internal", "setname");
  EXPECT_EQ(store_.connection(A)->name, "alice");
  EXPECT_EQ(store_.member("lobby", A)->name, "alice");
  EXPECT_EQ(store_.member("kitchen", A)->name, "alice");
  EXPECT_TRUE(events_to(B).empty());
}

TEST_F(SetName, AnUnregisteredConnectionIsInternal) {
  setname_to(D, "dave");
  expect_only_error_to(D, "internal", "setname");
  EXPECT_FALSE(store_.connection(D));
}

TEST_F(SetName, ALaterFailureIsInternal) {
  for (auto op : {Op::memberships, Op::members, Op::put_member}) {
    SCOPED_TRACE(static_cast<int>(op));
    connections_.clear();
    store_.fail(op);
    setname_to(A, "ann");
    EXPECT_EQ(types_to(A).back(), "error");
    expect_error(events_to(A).back(), "internal", "setname");
    store_.fail(op, false);
  }
}

}  // namespace

TEST_F(SetName, ASignedInUserCannotChangeTheNameFromTheirToken) {
  auto e = message_event(A, fakes::body(json::object{{"action", "setname"}, {"name", "bob"}}), "setname");
  e.request_context.authorizer = json::object{{"principalId", "user-a"}, {"name", "alice"}};
  EXPECT_EQ(handlers::setname(e, ports_).status_code, 200);
  EXPECT_EQ(store_.connection(A)->name, "alice");
  EXPECT_EQ(only_event_to(A).at("code"), "forbidden");
}

TEST_F(SetName, AGuestMayChangeItsDisplayName) {
  auto e = message_event(A, fakes::body(json::object{{"action", "setname"}, {"name", "bob"}}), "setname");
  e.request_context.authorizer = json::object{{"principalId", "g_a"}, {"guest", "true"}};
  EXPECT_EQ(handlers::setname(e, ports_).status_code, 200);
  EXPECT_EQ(store_.connection(A)->name, "bob");
  EXPECT_EQ(store_.connection(A)->user_id, "u-AAAA") << "the identity stays";
}
