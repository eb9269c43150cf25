#include "handlers/dm.hpp"

#include <gtest/gtest.h>

#include "chat_fixture.hpp"
#include "core/clock.hpp"

namespace {

using fakes::message_event;
using fakes::num;
using fakes::str;
using Op = fakes::FakeStore::Op;
namespace json = boost::json;

constexpr const char* E = "EEEEeeeeEEEEeee=";

class Dm : public fakes::ChatTest {
 protected:
  apigw::Response dm(const std::string& from, std::optional<std::string> body) {
    return handlers::dm(message_event(from, std::move(body), "dm"), ports_);
  }
  apigw::Response dm_to(const std::string& from, const std::string& to, const std::string& text,
                        const std::string& client_msg_id = "") {
    json::object o{{"action", "dm"}, {"to", to}, {"message", text}};
    if (!client_msg_id.empty()) o["clientMsgId"] = client_msg_id;
    return dm(from, fakes::body(o));
  }
};

TEST_F(Dm, ByNameInASharedRoomIsStoredInThePairsRoom) {
  const auto before = core::now_ms();
  EXPECT_EQ(dm_to(A, "bob", "psst").status_code, 200);
  const auto ms = store_.messages("dmu:u-AAAA:u-BBBB");
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].room, "dmu:u-AAAA:u-BBBB");
  EXPECT_EQ(ms[0].seq, 1);
  EXPECT_EQ(ms[0].sender, A);
  EXPECT_EQ(ms[0].name, "alice");
  EXPECT_EQ(ms[0].to, "bob");
  EXPECT_EQ(ms[0].text, "psst");
  EXPECT_EQ(ms[0].id.size(), 32u);
  EXPECT_GE(ms[0].ts, before);
  EXPECT_EQ(store_.message_count(), 1u);  // nothing in lobby
}

TEST_F(Dm, AcksTheSenderThenPostsOneFrameToBothPartiesOnly) {
  dm_to(A, "bob", "psst", "d1");
  const auto m = store_.messages("dmu:u-AAAA:u-BBBB").at(0);
  const auto to_a = connections_.posts_to(A);
  const auto to_b = connections_.posts_to(B);
  ASSERT_EQ(to_a.size(), 2u);
  ASSERT_EQ(to_b.size(), 1u);
  EXPECT_EQ(fakes::parse_frame(to_a[0]), (json::object{{"type", "ack"},
                                                       {"clientMsgId", "d1"},
                                                       {"id", m.id},
                                                       {"seq", 1},
                                                       {"room", "dmu:u-AAAA:u-BBBB"},
                                                       {"duplicate", false}}));
  EXPECT_EQ(to_a[1].frame.get(), to_b[0].frame.get());
  EXPECT_EQ(fakes::parse_frame(to_b[0]), (json::object{{"type", "dm"},
                                                       {"room", "dmu:u-AAAA:u-BBBB"},
                                                       {"seq", 1},
                                                       {"id", m.id},
                                                       {"ts", m.ts},
                                                       {"connectionId", A},
                                                       {"name", "alice"},
                                                       {"userId", "u-AAAA"},
                                                       {"to", "bob"},
                                                       {"text", "psst"},
                                                       {"clientMsgId", "d1"}}));
  EXPECT_TRUE(connections_.attempts_to(C).empty());
  EXPECT_EQ(connections_.attempts().size(), 3u);
}

TEST_F(Dm, TheNameIsComparedWithoutCase) {
  dm_to(A, "BoB", "psst");
  EXPECT_EQ(str(only_event_to(B).at("to")), "bob");
  EXPECT_EQ(store_.messages("dmu:u-AAAA:u-BBBB").size(), 1u);
}

TEST_F(Dm, ThePairsRoomIsTheSameBothWays) {
  dm_to(A, "bob", "one");
  dm_to(B, "alice", "two");
  const auto ms = store_.messages("dmu:u-AAAA:u-BBBB");
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(ms[1].seq, 2);
  EXPECT_EQ(ms[1].name, "bob");
  EXPECT_EQ(ms[1].to, "alice");
  EXPECT_EQ(num(events_to(A).back().at("seq")), 2);
}

TEST_F(Dm, ByConnectionIdEvenWithoutASharedRoom) {
  dm_to(A, C, "hello carol");
  EXPECT_EQ(store_.messages("dmu:u-AAAA:u-CCCC").size(), 1u);
  const auto o = only_event_to(C);
  EXPECT_EQ(o.at("type"), "dm");
  EXPECT_EQ(o.at("to"), "carol");
  EXPECT_EQ(o.at("room"), "dmu:u-AAAA:u-CCCC");
  EXPECT_TRUE(connections_.attempts_to(B).empty());
}

TEST_F(Dm, ByConnectionIdInASharedRoom) {
  dm_to(A, B, "hi");
  EXPECT_EQ(store_.messages("dmu:u-AAAA:u-BBBB").size(), 1u);
  EXPECT_EQ(connections_.posts_to(B).size(), 1u);
}

TEST_F(Dm, ByTheNameShownInARoom) {
  // dave is "bob" too, shown as "bob-DDDD" in lobby: "bob-DDDD" is dave.
  seed(D, "bob", "attic");
  add_member(D, "lobby", "bob-DDDD");
  dm_to(A, "bob-DDDD", "which bob?");
  EXPECT_EQ(str(only_event_to(D).at("to")), "bob");
  EXPECT_TRUE(connections_.attempts_to(B).empty());
}

TEST_F(Dm, ReachesEveryConnectionOfThatPersonInTheSharedRooms) {
  add_member(A, "kitchen", "alice");
  seed(E, "bob", "kitchen");  // bob's second connection: bob's identity
  auto e = *store_.connection(E);
  e.user_id = user_of(B);
  ASSERT_TRUE(store_.put_connection(e));
  auto m = *store_.member("kitchen", E);
  m.user_id = user_of(B);
  ASSERT_TRUE(store_.put_member(m));
  dm_to(A, "bob", "both of you");
  EXPECT_EQ(connections_.posts_to(B).size(), 1u);
  EXPECT_EQ(connections_.posts_to(E).size(), 1u);
  EXPECT_EQ(connections_.posts_to(B)[0].frame.get(), connections_.posts_to(E)[0].frame.get());
  EXPECT_TRUE(connections_.attempts_to(C).empty());
  EXPECT_EQ(store_.message_count(), 1u);
  EXPECT_EQ(types_to(A), (std::vector<std::string>{"ack", "dm"}));
}

TEST_F(Dm, ARetriedClientMsgIdIsAckedAgainAndNotDeliveredTwice) {
  dm_to(A, "bob", "psst", "d1");
  const auto first = events_to(A).at(0);
  connections_.clear();
  dm_to(A, "bob", "psst again", "d1");
  const auto ack = only_event_to(A);
  EXPECT_EQ(ack.at("type"), "ack");
  EXPECT_EQ(ack.at("duplicate"), true);
  EXPECT_EQ(ack.at("seq"), first.at("seq"));
  EXPECT_EQ(ack.at("id"), first.at("id"));
  EXPECT_EQ(ack.at("room"), "dmu:u-AAAA:u-BBBB");
  EXPECT_TRUE(connections_.attempts_to(B).empty());
  EXPECT_EQ(store_.messages("dmu:u-AAAA:u-BBBB").size(), 1u);
}

TEST_F(Dm, NobodyOfThatNameIsUnknownRecipient) {
  for (const std::string& to : {std::string("nobody"), std::string("carol"),  // carol shares no room
                                std::string("alice"), std::string(A),         // yourself
                                std::string("bo"), std::string("ZZZZzzzzZZZZzzz="), std::string(10000, 'x')}) {
    SCOPED_TRACE(to.substr(0, 20));
    connections_.clear();
    dm(A, fakes::body(json::object{{"action", "dm"}, {"to", to}, {"message", "hi"}, {"clientMsgId", "d1"}}));
    expect_only_error_to(A, "unknown_recipient", "dm", "d1");
  }
  EXPECT_EQ(store_.message_count(), 0u);
}

TEST_F(Dm, AMemberWhoseConnectionRowIsGoneIsUnknownRecipient) {
  ASSERT_TRUE(store_.delete_connection(B));
  dm_to(A, "bob", "hi");
  expect_only_error_to(A, "unknown_recipient", "dm");
  EXPECT_EQ(store_.message_count(), 0u);
}

TEST_F(Dm, AGoneRecipientDoesNotFailTheSender) {
  connections_.mark_gone(B);
  dm_to(A, "bob", "hi");
  EXPECT_EQ(types_to(A), (std::vector<std::string>{"ack", "dm"}));
  EXPECT_EQ(store_.message_count(), 1u);
}

TEST_F(Dm, BadFieldsAreBadRequestOrTooLong) {
  struct Case {
    std::string body;
    std::string code;
  };
  for (const auto& c : std::vector<Case>{
           {R"({"action":"dm","message":"x"})", "bad_request"},
           {R"({"action":"dm","to":"","message":"x"})", "bad_request"},
           {R"({"action":"dm","to":5,"message":"x"})", "bad_request"},
           {R"({"action":"dm","to":null,"message":"x"})", "bad_request"},
           {R"({"action":"dm","to":["bob"],"message":"x"})", "bad_request"},
           {R"({"action":"dm","to":"bob"})", "bad_request"},
           {R"({"action":"dm","to":"bob","message":""})", "bad_request"},
           {R"({"action":"dm","to":"bob","message":7})", "bad_request"},
           {R"({"action":"dm","to":"bob","message":"x","clientMsgId":5})", "bad_request"},
           {R"({"action":"dm","to":"bob","message":")" + std::string(4097, 'a') + "\"}", "too_long"},
           {"not json", "bad_request"},
       }) {
    SCOPED_TRACE(c.body.substr(0, 80));
    connections_.clear();
    dm(A, c.body);
    expect_only_error_to(A, c.code, "dm");
  }
  connections_.clear();
  dm(A, std::nullopt);
  expect_only_error_to(A, "bad_request", "dm");
  EXPECT_EQ(store_.message_count(), 0u);
}

TEST_F(Dm, AStoreFailureIsInternalAndSendsNothing) {
  for (auto op : {Op::memberships, Op::members, Op::get_connection, Op::append_message}) {
    SCOPED_TRACE(static_cast<int>(op));
    connections_.clear();
    store_.fail(op);
    dm_to(A, "bob", "hi", "d1");
    store_.fail(op, false);
    expect_only_error_to(A, "internal", "dm", "d1");
  }
  EXPECT_EQ(store_.message_count(), 0u);
}

// A store failure while looking the recipient up is the store's failure, not an unknown
// recipient.
TEST_F(Dm, AStoreFailureFindingARecipientByConnectionIdIsInternal) {
  store_.fail(Op::get_connection);
  dm_to(A, C, "hi", "d1");
  expect_only_error_to(A, "internal", "dm", "d1");
}

TEST_F(Dm, AStoreFailureReadingTheRecipientsRowIsInternal) {
  store_.fail_from(Op::get_connection, 2);  // the sender's row reads, the recipient's fails
  dm_to(A, "bob", "hi", "d1");
  expect_only_error_to(A, "internal", "dm", "d1");
  EXPECT_EQ(store_.message_count(), 0u);
}

}  // namespace

namespace {

// Signed in ($connect had an authorizer): `to` may be a user id (the token's sub).
class DmSignedIn : public Dm {
 protected:
  void SetUp() override {
    Dm::SetUp();
    for (auto [id, user] : {std::pair{A, "user-alice"}, std::pair{B, "user-bob"}}) {
      auto c = *store_.connection(id);
      c.user_id = user;
      ASSERT_TRUE(store_.put_connection(c));
      auto m = *store_.member("lobby", id);
      m.user_id = user;
      ASSERT_TRUE(store_.put_member(m));
    }
  }
  apigw::Response signed_dm_to(const std::string& from, const std::string& to, const std::string& text) {
    auto e = message_event(from, fakes::body(json::object{{"action", "dm"}, {"to", to}, {"message", text}}), "dm");
    e.request_context.authorizer = json::object{{"principalId", "user-alice"}, {"name", "alice"}};
    return handlers::dm(e, ports_);
  }
};

TEST_F(DmSignedIn, ASignedInUserAddressesAnotherByUserId) {
  EXPECT_EQ(signed_dm_to(A, "user-bob", "by id").status_code, 200);
  const auto ms = store_.messages("dmu:user-alice:user-bob");
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].to, "bob");
  EXPECT_EQ(ms[0].user_id, "user-alice");
  EXPECT_EQ(connections_.posts_to(B).size(), 1u);
}

TEST_F(DmSignedIn, AnUnknownUserIdIsAnUnknownRecipient) {
  signed_dm_to(A, "user-nobody", "hello?");
  EXPECT_EQ(only_event_to(A).at("code"), "unknown_recipient");
}

TEST_F(Dm, GuestsAddressByUserIdToo) {
  dm_to(A, "u-BBBB", "by id");
  EXPECT_EQ(store_.messages("dmu:u-AAAA:u-BBBB").size(), 1u);
  EXPECT_EQ(connections_.posts_to(B).size(), 1u);
}

// Issue 16: a name is display text. Whoever holds "bob" now gets a conversation of their own;
// bob renamed is still in the one with alice.
TEST_F(Dm, ANameResolvesToTheIdentityHoldingItNotToAConversation) {
  dm_to(A, "bob", "first");
  // bob becomes robert; dave (another identity) takes the name bob in lobby.
  auto b = *store_.member("lobby", B);
  b.name = "robert";
  ASSERT_TRUE(store_.put_member(b));
  seed(D, "bob", "lobby");
  dm_to(A, "bob", "to the new bob");
  dm_to(A, "robert", "to the old bob");
  EXPECT_EQ(store_.messages("dmu:u-AAAA:u-BBBB").size(), 2u);
  EXPECT_EQ(store_.messages("dmu:u-AAAA:u-DDDD").size(), 1u);
  EXPECT_EQ(store_.messages("dmu:u-AAAA:u-DDDD").at(0).text, "to the new bob");
}

TEST_F(Dm, ANameHeldByTwoPeopleInSharedRoomsIsAmbiguous) {
  seed(D, "bob", "attic");
  add_member(A, "attic", "alice");
  connections_.clear();
  dm_to(A, "bob", "which bob?", "amb");
  const auto e = only_event_to(A);
  EXPECT_EQ(e.at("code"), "ambiguous_recipient");
  EXPECT_EQ(e.at("clientMsgId"), "amb");
  EXPECT_EQ(store_.message_count(), 0u);
  EXPECT_TRUE(connections_.posts_to(B).empty());
  EXPECT_TRUE(connections_.posts_to(D).empty());
}

TEST_F(Dm, ReachesEveryConnectionOfTheRecipientInSharedRooms) {
  seed(D, "bob-2", "lobby");
  auto d = *store_.member("lobby", D);
  d.user_id = user_of(B);  // bob's second tab
  ASSERT_TRUE(store_.put_member(d));
  dm_to(A, "bob", "both tabs");
  EXPECT_EQ(connections_.posts_to(B).size(), 1u);
  EXPECT_EQ(connections_.posts_to(D).size(), 1u);
  EXPECT_EQ(store_.messages("dmu:u-AAAA:u-BBBB").size(), 1u);
}

}  // namespace
