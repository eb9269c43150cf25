#include "dynalite_server.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <cstdlib>
#include <thread>

#include "aws/dynamodb/sync_client.hpp"

// The DynamoDB client against a real DynamoDB-compatible server (dynalite), every operation the
// Store adapter will use. Skipped when dynalite is not installed, except under CI where that
// is a failure.
namespace {
using namespace aws;
using namespace aws::dynamodb;
namespace json = boost::json;
using AV = AttributeValue;

#define REQUIRE_DYNALITE(server, why)                                  \
  if (!(server)) {                                                      \
    if (std::getenv("CI")) FAIL() << (why);                             \
    GTEST_SKIP() << (why);                                              \
  }

ClientConfig config_for(const std::string& url) {
  auto c = ClientConfig::local(url).value();
  c.retry.random = [] { return 0.0; };
  return c;
}

json::object messages_table(const std::string& name) {
  return json::parse(R"({"TableName":")" + name + R"(",
    "AttributeDefinitions":[{"AttributeName":"room","AttributeType":"S"},{"AttributeName":"seq","AttributeType":"N"}],
    "KeySchema":[{"AttributeName":"room","KeyType":"HASH"},{"AttributeName":"seq","KeyType":"RANGE"}],
    "BillingMode":"PAY_PER_REQUEST"})").as_object();
}

json::object connections_table(const std::string& name) {
  return json::parse(R"({"TableName":")" + name + R"(",
    "AttributeDefinitions":[{"AttributeName":"connectionid","AttributeType":"S"},{"AttributeName":"room","AttributeType":"S"}],
    "KeySchema":[{"AttributeName":"connectionid","KeyType":"HASH"}],
    "GlobalSecondaryIndexes":[{"IndexName":"room-index",
      "KeySchema":[{"AttributeName":"room","KeyType":"HASH"},{"AttributeName":"connectionid","KeyType":"RANGE"}],
      "Projection":{"ProjectionType":"ALL"}}],
    "BillingMode":"PAY_PER_REQUEST"})").as_object();
}

json::object put(const Item& item) {
  return {{"PutRequest", {{"Item", item_to_json(item)}}}};
}

class Dynalite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = test::DynaliteServer::start(why_); }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    REQUIRE_DYNALITE(server_, why_);
    client_ = std::make_unique<SyncClient>(config_for(server_->url()));
  }
  SyncClient& db() { return *client_; }

  static inline std::unique_ptr<test::DynaliteServer> server_;
  static inline std::string why_;
  std::unique_ptr<SyncClient> client_;
};

TEST_F(Dynalite, CreateTableWithGsiAndTtlIsIdempotent) {
  auto created = db().ensure_table(connections_table("connections"));
  ASSERT_TRUE(created) << created.error().what();
  EXPECT_TRUE(*created);
  auto again = db().ensure_table(connections_table("connections"));
  ASSERT_TRUE(again) << again.error().what();
  EXPECT_FALSE(*again);  // ResourceInUse is success for an idempotent create

  auto table = db().describe_table("connections");
  ASSERT_TRUE(table);
  EXPECT_EQ(table->at("TableStatus").as_string(), "ACTIVE");
  const auto& gsi = table->at("GlobalSecondaryIndexes").as_array().at(0).as_object();
  EXPECT_EQ(gsi.at("IndexName").as_string(), "room-index");
  EXPECT_EQ(gsi.at("IndexStatus").as_string(), "ACTIVE");

  // dynalite has DescribeTimeToLive but no UpdateTimeToLive: "no TTL here" is not an error.
  auto ttl = db().ensure_ttl("connections", "ttl");
  ASSERT_TRUE(ttl) << ttl.error().what();
  auto desc = db().call("DescribeTimeToLive", {{"TableName", "connections"}});
  ASSERT_TRUE(desc) << desc.error().what();
  if (!*ttl) {
    EXPECT_EQ(desc->at("TimeToLiveDescription").at("TimeToLiveStatus").as_string(), "DISABLED");
  }
}

TEST_F(Dynalite, ItemRoundTripsEveryAttributeType) {
  ASSERT_TRUE(db().ensure_table(messages_table("roundtrip")));
  Item item{{"room", AV::string("lobby")},
            {"seq", AV::number(std::int64_t{1})},
            {"text", AV::string("héllo ☃")},
            {"big", AV::number("12345678901234567890123456789012345678")},
            {"bin", AV::binary(std::string("\0\x01\xff", 3))},
            {"flag", AV::boolean(true)},
            {"nothing", AV::null()},
            {"meta", AV::map({{"a", AV::list({AV::number("1"), AV::string("x")})}})},
            {"tags", AV::string_set({"a", "b"})},
            {"nums", AV::number_set({"1", "2"})},
            {"blobs", AV::binary_set({"x", "y"})}};
  ASSERT_TRUE(db().put_item({{"TableName", "roundtrip"}, {"Item", item_to_json(item)}}));
  json::object key{{"room", {{"S", "lobby"}}}, {"seq", {{"N", "1"}}}};
  auto got = db().get_item({{"TableName", "roundtrip"}, {"Key", key}, {"ConsistentRead", true}});
  ASSERT_TRUE(got) << got.error().what();
  ASSERT_TRUE(got->has_value());
  auto sorted = [](std::vector<std::string> v) { std::sort(v.begin(), v.end()); return v; };
  for (const auto& [name, value] : item) {
    const auto& back = (**got).at(name);
    if (value.is(AV::Type::SS) || value.is(AV::Type::NS) || value.is(AV::Type::BS)) {
      EXPECT_EQ(sorted(back.as_set()), sorted(value.as_set())) << name;  // sets are unordered
    } else {
      EXPECT_EQ(back, value) << name;
    }
  }

  ASSERT_TRUE(db().delete_item({{"TableName", "roundtrip"}, {"Key", key}}));
  auto gone = db().get_item({{"TableName", "roundtrip"}, {"Key", key}, {"ConsistentRead", true}});
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
  EXPECT_TRUE(db().delete_item({{"TableName", "roundtrip"}, {"Key", key}}));  // missing key: fine
}

TEST_F(Dynalite, UpdateItemAddAllocatesSequenceNumbers) {
  ASSERT_TRUE(db().ensure_table(json::parse(R"({"TableName":"rooms",
    "AttributeDefinitions":[{"AttributeName":"room","AttributeType":"S"}],
    "KeySchema":[{"AttributeName":"room","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})").as_object()));
  for (int expected = 1; expected <= 3; ++expected) {
    auto r = db().update_item(json::parse(R"J({"TableName":"rooms","Key":{"room":{"S":"lobby"}},
      "UpdateExpression":"ADD #seq :one SET #c = if_not_exists(#c, :now)",
      "ExpressionAttributeNames":{"#seq":"seq","#c":"createdAt"},
      "ExpressionAttributeValues":{":one":{"N":"1"},":now":{"N":"1700000000"}},
      "ReturnValues":"ALL_NEW"})J").as_object());
    ASSERT_TRUE(r) << r.error().what();
    auto attrs = item_from_json(r->at("Attributes")).value();
    EXPECT_EQ(attrs.at("seq").to_int64(), expected);
    EXPECT_EQ(attrs.at("createdAt").to_int64(), 1700000000);
  }
}

TEST_F(Dynalite, ConcurrentCallersShareOneClient) {
  ASSERT_TRUE(db().ensure_table(json::parse(R"({"TableName":"counters",
    "AttributeDefinitions":[{"AttributeName":"k","AttributeType":"S"}],
    "KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})").as_object()));
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto r = db().update_item(json::parse(R"({"TableName":"counters","Key":{"k":{"S":"c"}},
          "UpdateExpression":"ADD n :one","ExpressionAttributeValues":{":one":{"N":"1"}}})").as_object());
        failures += !r;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  auto got = db().get_item({{"TableName", "counters"}, {"Key", {{"k", {{"S", "c"}}}}}, {"ConsistentRead", true}});
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((**got).at("n").to_int64(), 60);
}

TEST_F(Dynalite, ConditionalFailureIsTypedAndNotRetried) {
  ASSERT_TRUE(db().ensure_table(messages_table("conditional")));
  json::object req = json::parse(R"J({"TableName":"conditional","Item":{"room":{"S":"r"},"seq":{"N":"1"}},
    "ConditionExpression":"attribute_not_exists(room)"})J").as_object();
  ASSERT_TRUE(db().put_item(req));
  auto second = db().put_item(req);
  ASSERT_FALSE(second);
  EXPECT_TRUE(second.error().is(errc::conditional_check_failed)) << second.error().what();
  EXPECT_EQ(second.error().attempts, 1);
  EXPECT_EQ(to_core(errc::conditional_check_failed), core::errc::conflict);
}

TEST_F(Dynalite, OtherErrorsAreTyped) {
  auto missing = db().get_item({{"TableName", "no-such-table"}, {"Key", {{"k", {{"S", "x"}}}}}});
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().is(errc::resource_not_found)) << missing.error().what();
  ASSERT_TRUE(db().ensure_table(messages_table("errors")));
  auto invalid = db().query({{"TableName", "errors"}, {"KeyConditionExpression", "room = = :r"}});
  ASSERT_FALSE(invalid);
  EXPECT_TRUE(invalid.error().is(errc::validation)) << invalid.error().what();
  EXPECT_EQ(invalid.error().attempts, 1);
  // dynalite has no transactions: the client says so precisely, without retrying.
  auto tx = db().transact_write_items(json::parse(R"({"TransactItems":[{"Put":{"TableName":"errors",
    "Item":{"room":{"S":"r"},"seq":{"N":"1"}}}}]})").as_object());
  if (!tx) {
    EXPECT_TRUE(tx.error().is(errc::unknown_operation)) << tx.error().what();
    EXPECT_EQ(tx.error().attempts, 1);
  }
}

TEST_F(Dynalite, QueryPaginatesWithLimitAndReadsTheGsi) {
  ASSERT_TRUE(db().ensure_table(messages_table("messages")));
  std::vector<json::object> writes;
  for (int i = 1; i <= 25; ++i)
    writes.push_back(put({{"room", AV::string("lobby")}, {"seq", AV::number(std::int64_t{i})}, {"text", AV::string("m" + std::to_string(i))}}));
  writes.push_back(put({{"room", AV::string("other")}, {"seq", AV::number(std::int64_t{1})}}));
  auto w = db().batch_write_all("messages", std::move(writes));
  ASSERT_TRUE(w) << w.error().what();

  json::object q = json::parse(R"({"TableName":"messages","KeyConditionExpression":"room = :r",
    "ExpressionAttributeValues":{":r":{"S":"lobby"}},"Limit":10})").as_object();
  auto first = db().query(q);
  ASSERT_TRUE(first) << first.error().what();
  EXPECT_EQ(first->items.size(), 10u);
  EXPECT_TRUE(first->last_evaluated_key);

  auto all = db().query_all(q);
  ASSERT_TRUE(all) << all.error().what();
  ASSERT_EQ(all->items.size(), 25u);
  EXPECT_GE(all->pages, 3);
  EXPECT_FALSE(all->last_evaluated_key);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(all->items[i].at("seq").to_int64(), i + 1);

  q["ScanIndexForward"] = false;
  auto newest = db().query_all(q, 12);
  ASSERT_TRUE(newest);
  EXPECT_GE(newest->items.size(), 12u);
  EXPECT_TRUE(newest->last_evaluated_key);  // stopped early: more to read
  EXPECT_EQ(newest->items.front().at("seq").to_int64(), 25);

  ASSERT_TRUE(db().ensure_table(connections_table("conns")));
  std::vector<json::object> conns;
  for (int i = 0; i < 7; ++i)
    conns.push_back(put({{"connectionid", AV::string("c" + std::to_string(i))}, {"room", AV::string(i < 5 ? "a" : "b")}}));
  ASSERT_TRUE(db().batch_write_all("conns", std::move(conns)));
  json::object g = json::parse(R"({"TableName":"conns","IndexName":"room-index","KeyConditionExpression":"#r = :r",
    "ExpressionAttributeNames":{"#r":"room"},"ExpressionAttributeValues":{":r":{"S":"a"}}})").as_object();
  auto in_a = db().query_all(g);
  ASSERT_TRUE(in_a) << in_a.error().what();
  EXPECT_EQ(in_a->items.size(), 5u);
  g["ConsistentRead"] = true;  // GSIs are eventually consistent only
  auto consistent = db().query(g);
  ASSERT_FALSE(consistent);
  EXPECT_TRUE(consistent.error().is(errc::validation));
}

TEST_F(Dynalite, ScanPaginatesPastOneMegabyteAndBatchDeletes) {
  ASSERT_TRUE(db().ensure_table(messages_table("bulk")));
  const std::string payload(40 * 1024, 'x');
  std::vector<json::object> writes;
  for (int i = 0; i < 40; ++i)  // 40 x 40 KB = 1.6 MB, over Scan's 1 MB page
    writes.push_back(put({{"room", AV::string("r" + std::to_string(i % 3))}, {"seq", AV::number(std::int64_t{i})}, {"text", AV::string(payload)}}));
  auto w = db().batch_write_all("bulk", std::move(writes));
  ASSERT_TRUE(w) << w.error().what();

  auto page = db().scan({{"TableName", "bulk"}});
  ASSERT_TRUE(page) << page.error().what();
  EXPECT_LT(page->items.size(), 40u);
  EXPECT_TRUE(page->last_evaluated_key);
  auto all = db().scan_all({{"TableName", "bulk"}});
  ASSERT_TRUE(all) << all.error().what();
  EXPECT_EQ(all->items.size(), 40u);
  EXPECT_GE(all->pages, 2);

  std::vector<json::object> deletes;
  for (const auto& item : all->items)
    deletes.push_back({{"DeleteRequest", {{"Key", item_to_json({{"room", item.at("room")}, {"seq", item.at("seq")}})}}}});
  ASSERT_TRUE(db().batch_write_all("bulk", std::move(deletes)));
  auto empty = db().scan_all({{"TableName", "bulk"}, {"Select", "COUNT"}});
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->count, 0);
}

TEST(DynaliteFault, NetworkErrorWhileStoppedThenRecovers) {
  std::string why;
  auto server = test::DynaliteServer::start(why);
  REQUIRE_DYNALITE(server, why);
  auto config = config_for(server->url());
  config.retry.max_attempts = 2;
  SyncClient db(config);
  ASSERT_TRUE(db.ensure_table(messages_table("fault")));
  json::object item = json::parse(R"({"TableName":"fault","Item":{"room":{"S":"r"},"seq":{"N":"1"}}})").as_object();
  ASSERT_TRUE(db.put_item(item));

  server->stop();
  auto down = db.put_item(item);
  ASSERT_FALSE(down);
  EXPECT_TRUE(down.error().is(errc::network)) << down.error().what();
  EXPECT_EQ(down.error().attempts, 2);
  EXPECT_EQ(to_core(errc::network), core::errc::store_unavailable);

  ASSERT_TRUE(server->restart());
  // The same client, with no reset: its pool replaces the dead connections by itself.
  auto created = db.ensure_table(messages_table("fault"));
  ASSERT_TRUE(created) << created.error().what();
  auto up = db.put_item(item);
  EXPECT_TRUE(up) << up.error().what();
}

}  // namespace
