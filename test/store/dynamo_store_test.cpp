// store::Dynamo: the Store contract against a real DynamoDB-compatible server (dynalite from
// npm, on a free loopback port), the table creation, and what only a network store shows: the
// endpoint going away and coming back. Skipped without node/dynalite, except under CI.
#include "store/dynamodb/dynamo_store.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "core/clock.hpp"

#include "dynalite_server.hpp"
#include "store/dynamodb/dynamo_create_tables.hpp"
#include "store/dynamodb/dynamo_items.hpp"
#include "store_contract.hpp"

namespace {

using store_contract::failed_with;

// One dynalite for the whole executable: every contract test uses keys of its own.
class DynaliteEnv {
 public:
  static DynaliteEnv& get() {
    static DynaliteEnv env;
    return env;
  }
  aws::test::DynaliteServer* server() { return server_.get(); }
  const std::string& why() const { return why_; }
  const store::DynamoTables& tables() const { return tables_; }
  bool ready() const { return ready_; }

 private:
  DynaliteEnv() {
    server_ = aws::test::DynaliteServer::start(why_);
    if (!server_) return;
    auto client = store::make_dynamo_client(aws::dynamodb::ClientConfig::local(server_->url()).value());
    std::ostringstream progress;
    auto made = store::create_tables(*client, tables_, progress);
    if (!made) {
      why_ = "create_tables failed: " + made.error().message() + "\n" + progress.str();
      return;
    }
    ready_ = true;
  }
  std::unique_ptr<aws::test::DynaliteServer> server_;
  std::string why_;
  store::DynamoTables tables_ = store::DynamoTables::with_prefix("contract-");
  bool ready_ = false;
};

struct DynamoHarness {
  std::unique_ptr<store::Store> db;
  std::optional<store::Tables> open() {
    auto& env = DynaliteEnv::get();
    if (!env.ready()) {
      if (std::getenv("CI")) ADD_FAILURE() << env.why();
      return std::nullopt;  // skipped: dynalite is not installed here
    }
    auto config = aws::dynamodb::ClientConfig::local(env.server()->url()).value();
    db = store::open_dynamodb(std::move(config), env.tables());
    return db->tables();
  }
};

}  // namespace

namespace store_contract {
INSTANTIATE_STORE_CONTRACT(Dynamo, DynamoHarness);
}

namespace {

#define REQUIRE_DYNALITE(server, why)      \
  if (!(server)) {                          \
    if (std::getenv("CI")) FAIL() << (why); \
    GTEST_SKIP() << (why);                  \
  }

store::Message msg(const std::string& room, const std::string& client_msg_id = "") {
  return {room, 0, "id-" + client_msg_id, "sender=", "alice", "hi", 1700000000000, 0, client_msg_id, ""};
}

// Its own dynalite, stopped and restarted by the tests.
class DynamoFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = aws::test::DynaliteServer::start(why_);
    REQUIRE_DYNALITE(server_, why_);
    client_ = store::make_dynamo_client(aws::dynamodb::ClientConfig::local(server_->url()).value());
    std::ostringstream progress;
    ASSERT_TRUE(store::create_tables(*client_, tables_, progress)) << progress.str();
    store_ = std::make_unique<store::Dynamo>(client_, tables_);
  }
  std::string why_;
  std::unique_ptr<aws::test::DynaliteServer> server_;
  store::DynamoTables tables_ = store::DynamoTables::with_prefix("faults-");
  std::shared_ptr<aws::dynamodb::SyncClient> client_;
  std::unique_ptr<store::Dynamo> store_;
};

TEST_F(DynamoFaults, CreateTablesIsIdempotentAndReportsProgress) {
  std::ostringstream progress;
  ASSERT_TRUE(store::create_tables(*client_, tables_, progress));
  const auto text = progress.str();
  EXPECT_NE(text.find("[1/6] table faults-connections: already there, ACTIVE"), std::string::npos) << text;
  EXPECT_NE(text.find("[5/6] table faults-clientmsgs: already there"), std::string::npos) << text;
  EXPECT_NE(text.find("[6/6] table faults-nodes: already there"), std::string::npos) << text;
  EXPECT_NE(text.find("TTL"), std::string::npos) << text;
  auto gsi = client_->describe_table(tables_.members);
  ASSERT_TRUE(gsi);
  EXPECT_EQ(gsi->at("GlobalSecondaryIndexes").as_array().at(0).at("IndexName").as_string(), "connection-index");
}

TEST_F(DynamoFaults, MissingTableIsStoreUnavailable) {
  store::Dynamo other(client_, store::DynamoTables::with_prefix("absent-"));
  EXPECT_TRUE(failed_with(other.get_connection("c1"), core::errc::store_unavailable));
  EXPECT_TRUE(failed_with(other.append_message(msg("lobby", "k1")), core::errc::store_unavailable));
  EXPECT_TRUE(failed_with(other.members("lobby"), core::errc::store_unavailable));
}

// The endpoint dies mid-run: every kind of call fails with store_unavailable, quickly (no hang,
// no crash); back on the same port, the same Store object works again.
TEST_F(DynamoFaults, EndpointStoppedAndRestarted) {
  ASSERT_TRUE(store_->append_message(msg("lobby", "k1")));
  ASSERT_TRUE(store_->put_member({"lobby", "c1", "ann", 1, 0}));
  server_->stop();

  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(failed_with(store_->append_message(msg("lobby", "k2")), core::errc::store_unavailable));
  EXPECT_TRUE(failed_with(store_->append_message(msg("lobby")), core::errc::store_unavailable));
  EXPECT_TRUE(failed_with(store_->get_connection("c1"), core::errc::store_unavailable));
  EXPECT_TRUE(failed_with(store_->put_connection({"c1", "ann", 1, "", 0, "lobby", -1}), core::errc::store_unavailable));
  EXPECT_TRUE(failed_with(store_->members("lobby"), core::errc::store_unavailable));
  EXPECT_TRUE(failed_with(store_->memberships("c1"), core::errc::store_unavailable));
  EXPECT_TRUE(failed_with(store_->messages_after("lobby", 0, 10), core::errc::store_unavailable));
  EXPECT_TRUE(failed_with(store_->last_seq("lobby"), core::errc::store_unavailable));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_LT(took, std::chrono::seconds(10)) << "failing calls must not hang";

  ASSERT_TRUE(server_->restart()) << "dynalite did not come back on port " << server_->port();
  // This fixture's dynalite keeps its tables in memory: back, it has none. Calls say so (the
  // log line names the table) until they are created again, then work on the same object.
  EXPECT_TRUE(failed_with(store_->last_seq("lobby"), core::errc::store_unavailable));
  std::ostringstream progress;
  ASSERT_TRUE(store::create_tables(*client_, tables_, progress)) << progress.str();
  auto again = store_->append_message(msg("lobby", "k2"));
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->message.seq, 1);
  EXPECT_FALSE(again->duplicate);
  EXPECT_TRUE(store_->append_message(msg("lobby", "k2")).value().duplicate);
  EXPECT_EQ(store_->last_seq("lobby").value(), 1);
}

// A clientMsgId whose first attempt died after claiming it (claim, no seq): a retry waits up to
// claim_wait, then fails; once the claim is older than claim_lease, a retry takes it over.
TEST_F(DynamoFaults, StaleClaimIsTakenOverAfterTheLease) {
  store::DynamoOptions o;
  o.claim_wait = std::chrono::milliseconds(200);
  o.claim_lease = std::chrono::milliseconds(600);
  store::Dynamo s(client_, tables_, o);
  namespace json = boost::json;
  ASSERT_TRUE(client_->put_item({{"TableName", tables_.clientmsgs},
                                 {"Item", {{"room", {{"S", "attic"}}},
                                           {"clientMsgId", {{"S", "k1"}}},
                                           {"claim", {{"S", "dead-node"}}},
                                           {"claimedAt", {{"N", std::to_string(core::now_ms())}}}}}}));
  EXPECT_TRUE(failed_with(s.append_message(msg("attic", "k1")), core::errc::store_unavailable));
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  auto r = s.append_message(msg("attic", "k1"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_FALSE(r->duplicate);
  EXPECT_EQ(r->message.seq, 1);
  EXPECT_TRUE(s.append_message(msg("attic", "k1")).value().duplicate);
}

// Issue 15 #6: a node whose clock runs a minute fast must not take over another live node's
// claim by comparing its clock with that node's claimedAt (it would store the message twice).
// It waits for the claim like any retry; once this process has itself watched the claim
// unchanged for the lease, it takes it over, whatever the clocks say.
TEST_F(DynamoFaults, AFastClockDoesNotTakeOverALiveNodesClaim) {
  store::DynamoOptions o;
  o.claim_wait = std::chrono::milliseconds(200);
  o.claim_lease = std::chrono::milliseconds(1500);
  o.clock = [] { return core::now_ms() + 60'000; };  // this node's clock: a minute ahead
  store::Dynamo fast(client_, tables_, o);
  fast.set_claim_owner("http://fast/dev", [](const std::string&) { return false; });  // everyone alive
  ASSERT_TRUE(client_->put_item({{"TableName", tables_.clientmsgs},
                                 {"Item", {{"room", {{"S", "den"}}},
                                           {"clientMsgId", {{"S", "k1"}}},
                                           {"claim", {{"S", "t-slow"}}},
                                           {"owner", {{"S", "http://slow/dev"}}},
                                           {"claimedAt", {{"N", std::to_string(core::now_ms())}}}}}}));
  // 60 s "old" by the fast clock, far past the lease: still the live node's.
  EXPECT_TRUE(failed_with(fast.append_message(msg("den", "k1")), core::errc::store_unavailable));
  EXPECT_EQ(fast.last_seq("den").value(), 0);  // nothing stored beside the slow node's attempt
  // Watched unchanged for the lease by this process: that attempt died; taken over, stored once.
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  auto r = fast.append_message(msg("den", "k1"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_FALSE(r->duplicate);
  EXPECT_TRUE(fast.append_message(msg("den", "k1")).value().duplicate);
}

// Several nodes: a member row carries its connection's node, so that a fan-out routes from the
// members it read (docs/scaling.md).
TEST_F(DynamoFaults, MemberRowsKeepTheirGateway) {
  ASSERT_TRUE(store_->put_member({"hall", "M=", "m", 5, 0, "http://10.0.0.2:8080/dev"}));
  ASSERT_TRUE(store_->put_member({"hall", "N=", "n", 6, 0, ""}));
  auto members = store_->members("hall");
  ASSERT_TRUE(members);
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ(members->at(0).gateway, "http://10.0.0.2:8080/dev");
  EXPECT_EQ(members->at(1).gateway, "");
  EXPECT_EQ(store_->memberships("M=")->at(0).gateway, "http://10.0.0.2:8080/dev");
}

// Several nodes: a claim naming a node the cluster knows is dead is taken over at once, and the
// message that node stored before dying (its claim never finished) is found, not stored twice.
TEST_F(DynamoFaults, ClaimOfADeadNodeIsTakenOverAtOnceAndItsStoredMessageFound) {
  store::DynamoOptions o;
  o.claim_wait = std::chrono::milliseconds(200);
  store::Dynamo s(client_, tables_, o);
  s.set_claim_owner("http://live/dev", [](const std::string& owner) { return owner == "http://dead/dev"; });
  const auto now = core::now_ms();
  auto claim = [&](const char* key, const char* owner) {
    return client_->put_item({{"TableName", tables_.clientmsgs},
                              {"Item", {{"room", {{"S", "loft"}}},
                                        {"clientMsgId", {{"S", key}}},
                                        {"claim", {{"S", "t-" + std::string(key)}}},
                                        {"owner", {{"S", owner}}},
                                        {"claimedAt", {{"N", std::to_string(now)}}}}}});
  };
  // A live node's claim: wait for it (here: give up after claim_wait, as before).
  ASSERT_TRUE(claim("k-live", "http://other/dev"));
  EXPECT_TRUE(failed_with(s.append_message(msg("loft", "k-live")), core::errc::store_unavailable));
  // A dead node's claim, nothing stored: taken over, stored once.
  ASSERT_TRUE(claim("k-none", "http://dead/dev"));
  auto fresh = s.append_message(msg("loft", "k-none"));
  ASSERT_TRUE(fresh) << fresh.error().message();
  EXPECT_FALSE(fresh->duplicate);
  // A dead node's claim whose message it had stored: that message, no second copy.
  ASSERT_TRUE(claim("k-stored", "http://dead/dev"));
  store::Message stored = msg("loft", "k-stored");
  stored.seq = fresh->message.seq + 1;
  stored.id = "from-the-dead-node";
  stored.ts = now + 5;
  ASSERT_TRUE(client_->update_item({{"TableName", tables_.rooms},
                                    {"Key", {{"room", {{"S", "loft"}}}}},
                                    {"UpdateExpression", "ADD #s :one"},
                                    {"ExpressionAttributeNames", {{"#s", "seq"}}},
                                    {"ExpressionAttributeValues", {{":one", {{"N", "1"}}}}}}));
  ASSERT_TRUE(client_->put_item({{"TableName", tables_.messages},
                                 {"Item", aws::dynamodb::item_to_json(store::dynamo_items::message_item(stored))}}));
  // Above it, a seq a history read sealed (newest first, the search meets it first).
  ASSERT_TRUE(client_->update_item({{"TableName", tables_.rooms},
                                    {"Key", {{"room", {{"S", "loft"}}}}},
                                    {"UpdateExpression", "ADD #s :one"},
                                    {"ExpressionAttributeNames", {{"#s", "seq"}}},
                                    {"ExpressionAttributeValues", {{":one", {{"N", "1"}}}}}}));
  ASSERT_TRUE(client_->put_item(
      {{"TableName", tables_.messages},
       {"Item", aws::dynamodb::item_to_json(store::dynamo_items::seal_item("loft", stored.seq + 1, now + 6, 0))}}));
  auto again = s.append_message(msg("loft", "k-stored"));
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->message.id, "from-the-dead-node");
  EXPECT_EQ(again->message.seq, stored.seq);
  EXPECT_EQ(s.last_seq("loft").value(), stored.seq + 1);  // nothing new allocated
  EXPECT_TRUE(s.append_message(msg("loft", "k-stored")).value().duplicate);  // the key now finds it
}

// The moment between an append's counter update and its put: seq N is taken and empty while a
// later one is stored. These allocate N by hand (the counter update append_message makes) and
// then send the put that append would send, late, as a killed node's request reaches the
// store after its client read history elsewhere.
class DynamoSeals : public DynamoFaults {
 protected:
  std::int64_t take_seq(const std::string& room) {
    auto u = client_->update_item({{"TableName", tables_.rooms},
                                   {"Key", {{"room", {{"S", room}}}}},
                                   {"UpdateExpression", "ADD #s :one"},
                                   {"ExpressionAttributeNames", {{"#s", "seq"}}},
                                   {"ExpressionAttributeValues", {{":one", {{"N", "1"}}}}},
                                   {"ReturnValues", "UPDATED_NEW"}});
    if (!u) return 0;
    return std::stoll(std::string(u->at("Attributes").at("seq").at("N").as_string()));
  }
  // The put DynamoAppender sends for a message at `seq`, condition included.
  bool late_put(const std::string& room, std::int64_t seq, const std::string& id) {
    store::Message m = msg(room);
    m.seq = seq;
    m.id = id;
    auto put = client_->put_item({{"TableName", tables_.messages},
                                  {"Item", aws::dynamodb::item_to_json(store::dynamo_items::message_item(m))},
                                  {"ConditionExpression", "attribute_not_exists(#s)"},
                                  {"ExpressionAttributeNames", {{"#s", "seq"}}}});
    return static_cast<bool>(put);
  }
  std::vector<std::int64_t> seqs_after(const std::string& room, std::int64_t after) {
    return store_contract::seqs(store_->messages_after(room, after, 100).value());
  }
};

TEST_F(DynamoSeals, AReadSealsTheEmptySeqsItPassesSoALatePutCannotFillThem) {
  ASSERT_TRUE(store_->append_message(msg("den")));  // 1
  const auto held = take_seq("den");               // 2: an append in flight
  ASSERT_EQ(held, 2);
  ASSERT_EQ(store_->append_message(msg("den")).value().message.seq, 3);
  // A client catching up after 1 gets 3 and moves past 2.
  EXPECT_EQ(seqs_after("den", 1), (std::vector<std::int64_t>{3}));
  EXPECT_FALSE(late_put("den", held, "late")) << "seq 2 was stored after a reader passed it";
  EXPECT_EQ(seqs_after("den", 0), (std::vector<std::int64_t>{1, 3}));

  // The newest page (no cursor) passes the holes between the messages it returns.
  const auto held2 = take_seq("den");  // 4
  ASSERT_EQ(store_->append_message(msg("den")).value().message.seq, 5);
  EXPECT_EQ(store_contract::seqs(store_->messages_before("den", 0, 10).value()), (std::vector<std::int64_t>{1, 3, 5}));
  EXPECT_FALSE(late_put("den", held2, "late2"));

  // A hole at the top is passed by nobody: its put still lands, and the next read returns it.
  const auto held3 = take_seq("den");  // 6
  EXPECT_TRUE(seqs_after("den", 5).empty());
  EXPECT_TRUE(late_put("den", held3, "in-time"));
  EXPECT_EQ(seqs_after("den", 5), (std::vector<std::int64_t>{6}));
  // Seals are not messages: a page of 2 after 0 is two messages, whatever lies between.
  EXPECT_EQ(store_contract::seqs(store_->messages_after("den", 0, 2).value()), (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(store_contract::seqs(store_->messages_before("den", 6, 2).value()), (std::vector<std::int64_t>{3, 5}));
}

// The other side: an append whose seq a reader sealed before its put stores the message under
// the room's next seq (nobody saw it yet: it is acked and fanned out once stored).
TEST_F(DynamoSeals, AnAppendWhoseSeqWasSealedTakesTheNext) {
  ASSERT_TRUE(store_->append_message(msg("nook")));  // 1
  // The seal a reader puts on 2 while this append holds it, put first here: the append's
  // counter update then hands it 2, and its put finds the seal.
  ASSERT_TRUE(client_->put_item(
      {{"TableName", tables_.messages},
       {"Item", aws::dynamodb::item_to_json(store::dynamo_items::seal_item("nook", 2, core::now_ms(), 0))}}));
  auto r = store_->append_message(msg("nook", "k1"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_FALSE(r->duplicate);
  EXPECT_EQ(r->message.seq, 3);
  EXPECT_EQ(store_->last_seq("nook").value(), 3);
  EXPECT_EQ(seqs_after("nook", 0), (std::vector<std::int64_t>{1, 3}));
  auto retry = store_->append_message(msg("nook", "k1"));
  ASSERT_TRUE(retry);
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->message.seq, 3);
}

// Holes far below the next message are not appends in flight but messages that expired (or
// were never stored): a read does not pay a write for each of them.
TEST_F(DynamoSeals, HolesBeyondTheReachAreLeftAlone) {
  store::DynamoOptions o;
  o.seal_reach = 3;
  store::Dynamo s(client_, tables_, o);
  for (int i = 0; i < 10; ++i) ASSERT_GT(take_seq("vault"), 0);  // 1..10: expired long ago
  ASSERT_EQ(s.append_message(msg("vault")).value().message.seq, 11);
  EXPECT_EQ(store_contract::seqs(s.messages_after("vault", 0, 10).value()), (std::vector<std::int64_t>{11}));
  EXPECT_FALSE(late_put("vault", 8, "x")) << "within the reach: sealed";
  EXPECT_TRUE(late_put("vault", 7, "y")) << "beyond the reach: left alone";
}

}  // namespace
