#pragma once
// The Store's rows as DynamoDB items, with the attribute names of docs/data-model.md.
// Empty strings and zero ttls are left out of the item (and read back as ""/0): older
// DynamoDB-compatible servers reject empty strings, and an absent ttl is "never expires"
// without relying on DynamoDB ignoring ttl = 0 (a date more than five years past).
#include <cstdint>
#include <string>

#include <boost/json/object.hpp>

#include "aws/dynamodb/attribute_value.hpp"
#include "store/store.hpp"

namespace store::dynamo_items {

using aws::dynamodb::AttributeValue;
using aws::dynamodb::Item;

// A request to `table`: {"TableName": table}, for the operation's other members to be added.
boost::json::object request(const std::string& table);

AttributeValue s(std::string v);
AttributeValue n(std::int64_t v);

// Attribute readers that tolerate a missing or mistyped attribute (a row written by hand or
// by an older version): "" / fallback rather than a failed read of the whole page.
std::string get_s(const Item& item, const std::string& name);
std::int64_t get_n(const Item& item, const std::string& name, std::int64_t fallback = 0);

Item connection_item(const Connection& c);
Connection connection_from(const Item& item);

Item member_item(const Member& m);
Member member_from(const Item& item);

Item message_item(const Message& m);
Message message_from(const Item& item);

// A seq that a history read passed while it held no message (allocated, not stored yet or
// never): the seal takes its place so that no message lands there after a reader went past it.
// `sealedAt` (N, ms) marks it; it expires with the message above it (`ttl`, 0: never).
Item seal_item(const std::string& room, std::int64_t seq, std::int64_t sealed_at, std::int64_t ttl);
bool is_seal(const Item& item);

}  // namespace store::dynamo_items
