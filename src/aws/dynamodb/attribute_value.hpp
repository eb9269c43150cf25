#pragma once
// DynamoDB's AttributeValue (aws-contract.md §6.2) as a C++ value, and its JSON form
// ({"S": "x"}, {"N": "42"}, {"M": {...}}, ...). Numbers stay decimal strings: DynamoDB keeps 38
// significant digits, more than a double can hold.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.hpp"

namespace aws::dynamodb {

class AttributeValue;
using Item = std::map<std::string, AttributeValue>;  // also a Key, and the M type
using List = std::vector<AttributeValue>;

class AttributeValue {
 public:
  enum class Type { S, N, B, BOOL, NUL, M, L, SS, NS, BS };

  AttributeValue() : type_(Type::NUL), v_(true) {}  // NULL
  static AttributeValue string(std::string s);
  static AttributeValue number(std::string decimal);  // not checked here; see from_json
  static AttributeValue number(std::int64_t n);
  static AttributeValue binary(std::string bytes);   // raw bytes, base64 on the wire
  static AttributeValue boolean(bool b);
  static AttributeValue null();
  static AttributeValue map(Item m);
  static AttributeValue list(List l);
  static AttributeValue string_set(std::vector<std::string> s);
  static AttributeValue number_set(std::vector<std::string> s);
  static AttributeValue binary_set(std::vector<std::string> s);

  Type type() const { return type_; }
  bool is(Type t) const { return type_ == t; }

  // Each accessor expects its type (checked with an exception: calling the wrong one is a bug).
  const std::string& as_string() const;  // S
  const std::string& as_number() const;  // N, the decimal text
  const std::string& as_binary() const;  // B, raw bytes
  bool as_bool() const;                  // BOOL
  const Item& as_map() const;            // M
  const List& as_list() const;           // L
  const std::vector<std::string>& as_set() const;  // SS, NS (decimal text), BS (raw bytes)

  // N parsed as an integer; nullopt when it is not an integer that fits.
  std::optional<std::int64_t> to_int64() const;

  boost::json::value to_json() const;
  // invalid_argument unless exactly one known key of the right JSON type (and valid base64).
  static core::result<AttributeValue> from_json(const boost::json::value& v);

  friend bool operator==(const AttributeValue& a, const AttributeValue& b) {
    return a.type_ == b.type_ && a.v_ == b.v_;
  }

 private:
  AttributeValue(Type t, std::variant<std::string, bool, std::vector<std::string>, Item, List> v)
      : type_(t), v_(std::move(v)) {}
  Type type_;
  std::variant<std::string, bool, std::vector<std::string>, Item, List> v_;
};

// {"name": {"S": ...}, ...} <-> Item.
boost::json::object item_to_json(const Item& item);
core::result<Item> item_from_json(const boost::json::value& v);

// The short type name: "S", "N", ..., "NULL".
std::string_view type_name(AttributeValue::Type t);

// A DynamoDB number literal: optional sign, digits with an optional fraction, optional exponent.
bool is_number_literal(std::string_view s);

}  // namespace aws::dynamodb
