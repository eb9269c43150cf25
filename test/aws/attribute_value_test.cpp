#include "aws/dynamodb/attribute_value.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace {
using namespace aws::dynamodb;
namespace json = boost::json;
using T = AttributeValue::Type;

TEST(AttributeValue, EncodesEveryType) {
  Item item{{"s", AttributeValue::string("héllo")},
            {"n", AttributeValue::number("-1.5e3")},
            {"i", AttributeValue::number(std::int64_t{42})},
            {"b", AttributeValue::binary(std::string("\0\x01", 2))},
            {"t", AttributeValue::boolean(true)},
            {"z", AttributeValue::null()},
            {"m", AttributeValue::map({{"x", AttributeValue::string("")}})},
            {"l", AttributeValue::list({AttributeValue::number("1"), AttributeValue::string("a")})},
            {"ss", AttributeValue::string_set({"a", "b"})},
            {"ns", AttributeValue::number_set({"1", "2.5"})},
            {"bs", AttributeValue::binary_set({"foo"})}};
  const auto j = item_to_json(item);
  EXPECT_EQ(json::serialize(j),
            R"({"b":{"B":"AAE="},"bs":{"BS":["Zm9v"]},"i":{"N":"42"},"l":{"L":[{"N":"1"},{"S":"a"}]},)"
            R"("m":{"M":{"x":{"S":""}}},"n":{"N":"-1.5e3"},"ns":{"NS":["1","2.5"]},"s":{"S":"héllo"},)"
            R"("ss":{"SS":["a","b"]},"t":{"BOOL":true},"z":{"NULL":true}})");
  auto back = item_from_json(j);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, item);
}

TEST(AttributeValue, Accessors) {
  EXPECT_EQ(AttributeValue::number("17").to_int64(), 17);
  EXPECT_EQ(AttributeValue::number("-9223372036854775808").to_int64(), INT64_MIN);
  EXPECT_FALSE(AttributeValue::number("1.5").to_int64());
  EXPECT_FALSE(AttributeValue::number("99999999999999999999").to_int64());
  EXPECT_FALSE(AttributeValue::string("17").to_int64());
  EXPECT_THROW((void)AttributeValue::string("x").as_number(), std::logic_error);
  EXPECT_EQ(AttributeValue::null().type(), T::NUL);
  EXPECT_EQ(type_name(T::NUL), "NULL");
  // Numbers keep every digit: DynamoDB allows 38 significant ones.
  const std::string big = "12345678901234567890123456789012345678";
  auto v = AttributeValue::from_json(json::parse(R"({"N":")" + big + R"("})"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->as_number(), big);
}

TEST(AttributeValue, RejectsMalformedJson) {
  const char* bad[] = {R"({})",
                       R"({"S":"a","N":"1"})",
                       R"({"X":"a"})",
                       R"({"S":1})",
                       R"({"N":1})",
                       R"({"N":"1.2.3"})",
                       R"({"N":"abc"})",
                       R"({"N":""})",
                       R"({"B":"not base64!"})",
                       R"({"BOOL":"true"})",
                       R"({"NULL":false})",
                       R"({"M":[]})",
                       R"({"M":{"a":{"S":1}}})",
                       R"({"L":{}})",
                       R"({"L":[{"Q":1}]})",
                       R"({"SS":[]})",
                       R"({"SS":["a",1]})",
                       R"({"NS":["x"]})",
                       R"({"BS":["@@"]})",
                       R"("S")"};
  for (const char* b : bad) EXPECT_FALSE(AttributeValue::from_json(json::parse(b))) << b;
  EXPECT_FALSE(item_from_json(json::parse("[]")));
}

TEST(AttributeValue, NumberLiterals) {
  for (const char* ok : {"0", "-1", "+1", "1.5", ".5", "5.", "1e10", "1E-10", "-1.5e+3"}) EXPECT_TRUE(is_number_literal(ok)) << ok;
  for (const char* no : {"", "-", ".", "e5", "1e", "1e+", "1.2.3", "0x10", "1 ", "NaN", "Infinity"})
    EXPECT_FALSE(is_number_literal(no)) << no;
}

}  // namespace
