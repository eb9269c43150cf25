#include "integration/lambda_process/template_tables.hpp"

#include <set>

#include <boost/json.hpp>

namespace integration::sam {
namespace {
namespace json = boost::json;

// CreateTable's number fields; every other scalar is a string.
const std::set<std::string> kNumbers = {"ReadCapacityUnits", "WriteCapacityUnits",
                                        "MaxReadRequestUnits", "MaxWriteRequestUnits"};
// Properties that change nothing a function can observe locally.
const std::set<std::string> kIgnored = {"SSESpecification", "PointInTimeRecoverySpecification",
                                        "Tags", "DeletionProtectionEnabled", "ContributorInsightsSpecification",
                                        "TableClass", "KinesisStreamSpecification", "ResourcePolicy",
                                        "WarmThroughput", "OnDemandThroughput"};
// Properties that become CreateTable's fields as they are.
const std::set<std::string> kCopied = {"AttributeDefinitions", "KeySchema", "BillingMode",
                                       "ProvisionedThroughput", "GlobalSecondaryIndexes",
                                       "LocalSecondaryIndexes"};

json::value to_json(const YAML::Node& n, const std::string& key, const std::string& where) {
  if (n.IsSequence()) {
    json::array a;
    for (const auto& item : n) a.push_back(to_json(item, key, where));
    return a;
  }
  if (n.IsMap()) {
    json::object o;
    for (const auto& kv : n) {
      const std::string k = kv.first.Scalar();
      // Projection: ALL etc.; a GSI's ContributorInsights etc. are not CreateTable's.
      if (k == "ContributorInsightsSpecification") continue;
      o[k] = to_json(kv.second, k, where + "." + k);
    }
    return o;
  }
  if (kNumbers.contains(key)) {
    try {
      return std::stoll(n.Scalar());
    } catch (const std::exception&) {
      fail(where, "expected a number, not '" + n.Scalar() + "'");
    }
  }
  return json::string(n.Scalar());
}

}  // namespace

Table read_table(Intrinsics& in, const std::string& id) {
  const std::string where = "Resources." + id + ".Properties";
  Table t;
  t.logical_id = id;
  t.name = in.ref_resource(id, "Resources." + id);
  const YAML::Node raw = in.resources()[id]["Properties"];
  if (!raw) fail(where, "the table has no KeySchema");
  auto props = in.resolve(raw, where);
  if (!props || !props->IsMap()) fail(where, "expected a mapping");
  json::object create{{"TableName", t.name}};
  for (const auto& kv : *props) {
    const std::string key = kv.first.Scalar();
    if (key == "TableName" || kIgnored.contains(key)) continue;
    if (kCopied.contains(key)) {
      create[key] = to_json(kv.second, key, where + "." + key);
    } else if (key == "StreamSpecification") {
      const YAML::Node type = kv.second["StreamViewType"];
      if (!type) fail(where + ".StreamSpecification", "no StreamViewType");
      create["StreamSpecification"] =
          json::object{{"StreamEnabled", true}, {"StreamViewType", type.Scalar()}};
    } else if (key == "TimeToLiveSpecification") {
      const YAML::Node name = kv.second["AttributeName"], enabled = kv.second["Enabled"];
      if (!name) fail(where + ".TimeToLiveSpecification", "no AttributeName");
      if (!enabled || enabled.Scalar() == "true" || enabled.Scalar() == "True")
        t.ttl_attribute = name.Scalar();
    } else {
      fail(where + "." + key, "not a property of AWS::DynamoDB::Table that runs locally");
    }
  }
  if (!create.contains("KeySchema")) fail(where, "the table has no KeySchema");
  if (!create.contains("AttributeDefinitions")) fail(where, "the table has no AttributeDefinitions");
  // CloudFormation's default is PROVISIONED, which needs ProvisionedThroughput.
  const auto billing = create.contains("BillingMode") ? std::string(create["BillingMode"].as_string()) : "PROVISIONED";
  if (billing == "PROVISIONED" && !create.contains("ProvisionedThroughput"))
    fail(where + ".ProvisionedThroughput",
         "a PROVISIONED table (BillingMode's default) needs ProvisionedThroughput");
  if (billing != "PROVISIONED" && billing != "PAY_PER_REQUEST")
    fail(where + ".BillingMode", "must be PROVISIONED or PAY_PER_REQUEST, not '" + billing + "'");
  t.create_request = json::serialize(create);
  return t;
}

}  // namespace integration::sam
