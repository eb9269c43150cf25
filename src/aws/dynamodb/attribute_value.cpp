#include "aws/dynamodb/attribute_value.hpp"

#include <boost/json/array.hpp>
#include <charconv>
#include <stdexcept>

#include "core/base64.hpp"

namespace aws::dynamodb {
namespace json = boost::json;
using T = AttributeValue::Type;

namespace {

constexpr std::pair<T, std::string_view> names[] = {
    {T::S, "S"}, {T::N, "N"}, {T::B, "B"}, {T::BOOL, "BOOL"}, {T::NUL, "NULL"},
    {T::M, "M"}, {T::L, "L"}, {T::SS, "SS"}, {T::NS, "NS"}, {T::BS, "BS"}};

template <class V>
const V& get(const std::variant<std::string, bool, std::vector<std::string>, Item, List>& v, bool ok) {
  if (!ok) throw std::logic_error("AttributeValue accessed as the wrong type");
  return std::get<V>(v);
}

core::result<std::vector<std::string>> strings(const json::value& v, T t) {
  if (!v.is_array() || v.as_array().empty()) return core::errc::invalid_argument;  // sets are non-empty
  std::vector<std::string> out;
  for (const auto& e : v.as_array()) {
    if (!e.is_string()) return core::errc::invalid_argument;
    std::string s(e.as_string());
    if (t == T::NS && !is_number_literal(s)) return core::errc::invalid_argument;
    if (t == T::BS) {
      auto bytes = core::base64_decode(s);
      if (!bytes) return core::errc::invalid_argument;
      s = std::move(*bytes);
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

std::string_view type_name(T t) {
  for (auto [type, name] : names)
    if (type == t) return name;
  return "?";
}

bool is_number_literal(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  std::size_t n = digits();
  if (i < s.size() && s[i] == '.') ++i, n += digits();
  if (n == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

AttributeValue AttributeValue::string(std::string s) { return {T::S, std::move(s)}; }
AttributeValue AttributeValue::number(std::string d) { return {T::N, std::move(d)}; }
AttributeValue AttributeValue::number(std::int64_t n) { return {T::N, std::to_string(n)}; }
AttributeValue AttributeValue::binary(std::string b) { return {T::B, std::move(b)}; }
AttributeValue AttributeValue::boolean(bool b) { return {T::BOOL, b}; }
AttributeValue AttributeValue::null() { return {}; }
AttributeValue AttributeValue::map(Item m) { return {T::M, std::move(m)}; }
AttributeValue AttributeValue::list(List l) { return {T::L, std::move(l)}; }
AttributeValue AttributeValue::string_set(std::vector<std::string> s) { return {T::SS, std::move(s)}; }
AttributeValue AttributeValue::number_set(std::vector<std::string> s) { return {T::NS, std::move(s)}; }
AttributeValue AttributeValue::binary_set(std::vector<std::string> s) { return {T::BS, std::move(s)}; }

const std::string& AttributeValue::as_string() const { return get<std::string>(v_, type_ == T::S); }
const std::string& AttributeValue::as_number() const { return get<std::string>(v_, type_ == T::N); }
const std::string& AttributeValue::as_binary() const { return get<std::string>(v_, type_ == T::B); }
bool AttributeValue::as_bool() const { return get<bool>(v_, type_ == T::BOOL); }
const Item& AttributeValue::as_map() const { return get<Item>(v_, type_ == T::M); }
const List& AttributeValue::as_list() const { return get<List>(v_, type_ == T::L); }
const std::vector<std::string>& AttributeValue::as_set() const {
  return get<std::vector<std::string>>(v_, type_ == T::SS || type_ == T::NS || type_ == T::BS);
}

std::optional<std::int64_t> AttributeValue::to_int64() const {
  if (type_ != T::N) return std::nullopt;
  const auto& s = std::get<std::string>(v_);
  std::int64_t n = 0;
  const char* first = s.data() + (!s.empty() && s[0] == '+');
  auto [p, ec] = std::from_chars(first, s.data() + s.size(), n);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return n;
}

json::value AttributeValue::to_json() const {
  json::object o;
  const auto key = type_name(type_);
  switch (type_) {
    case T::S:
    case T::N: o[key] = std::get<std::string>(v_); break;
    case T::B: o[key] = core::base64_encode(std::get<std::string>(v_)); break;
    case T::BOOL: o[key] = std::get<bool>(v_); break;
    case T::NUL: o[key] = true; break;
    case T::M: o[key] = item_to_json(std::get<Item>(v_)); break;
    case T::L: {
      json::array a;
      for (const auto& e : std::get<List>(v_)) a.push_back(e.to_json());
      o[key] = std::move(a);
      break;
    }
    case T::SS:
    case T::NS:
    case T::BS: {
      json::array a;
      for (const auto& e : std::get<std::vector<std::string>>(v_)) a.emplace_back(type_ == T::BS ? core::base64_encode(e) : e);
      o[key] = std::move(a);
      break;
    }
  }
  return o;
}

core::result<AttributeValue> AttributeValue::from_json(const json::value& v) {
  if (!v.is_object() || v.as_object().size() != 1) return core::errc::invalid_argument;
  const auto& [k, val] = *v.as_object().begin();
  std::optional<T> t;
  for (auto [type, name] : names)
    if (name == k) t = type;
  if (!t) return core::errc::invalid_argument;
  switch (*t) {
    case T::S:
      if (!val.is_string()) break;
      return string(std::string(val.as_string()));
    case T::N:
      if (!val.is_string() || !is_number_literal(val.as_string())) break;
      return number(std::string(val.as_string()));
    case T::B: {
      if (!val.is_string()) break;
      auto bytes = core::base64_decode(val.as_string());
      if (!bytes) break;
      return binary(std::move(*bytes));
    }
    case T::BOOL:
      if (!val.is_bool()) break;
      return boolean(val.as_bool());
    case T::NUL:
      if (!val.is_bool() || !val.as_bool()) break;
      return null();
    case T::M: {
      auto m = item_from_json(val);
      if (!m) return m.error();
      return map(std::move(*m));
    }
    case T::L: {
      if (!val.is_array()) break;
      List l;
      for (const auto& e : val.as_array()) {
        auto av = from_json(e);
        if (!av) return av.error();
        l.push_back(std::move(*av));
      }
      return list(std::move(l));
    }
    case T::SS:
    case T::NS:
    case T::BS: {
      auto s = strings(val, *t);
      if (!s) return s.error();
      return AttributeValue(*t, std::move(*s));
    }
  }
  return core::errc::invalid_argument;
}

json::object item_to_json(const Item& item) {
  json::object o;
  o.reserve(item.size());
  for (const auto& [name, value] : item) o[name] = value.to_json();
  return o;
}

core::result<Item> item_from_json(const json::value& v) {
  if (!v.is_object()) return core::errc::invalid_argument;
  Item item;
  for (const auto& [name, value] : v.as_object()) {
    auto av = AttributeValue::from_json(value);
    if (!av) return av.error();
    item.emplace(std::string(name), std::move(*av));
  }
  return item;
}

}  // namespace aws::dynamodb
