#include "gateway/stored_context.hpp"

#include <cstring>
#include <limits>
#include <stdexcept>
#include <string_view>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace gateway {

StoredContext::StoredContext(const boost::json::object& o) {
  const std::string text = boost::json::serialize(o);
  // An authorizer's context is capped far below this (a Lambda's answer is at most 6 MB).
  if (text.size() > std::numeric_limits<std::uint32_t>::max())
    throw std::length_error("authorizer context too large");
  size_ = static_cast<std::uint32_t>(text.size());
  data_ = std::make_unique_for_overwrite<char[]>(size_);
  std::memcpy(data_.get(), text.data(), size_);
}

StoredContext::StoredContext(const StoredContext& other) : size_(other.size_) {
  if (!other.data_) return;
  data_ = std::make_unique_for_overwrite<char[]>(size_);
  std::memcpy(data_.get(), other.data_.get(), size_);
}

StoredContext& StoredContext::operator=(const StoredContext& other) {
  if (this != &other) *this = StoredContext(other);
  return *this;
}

boost::json::object StoredContext::object() const {
  if (!data_) return {};
  // Written by serialize() above: always an object.
  return boost::json::parse(std::string_view(data_.get(), size_)).as_object();
}

}  // namespace gateway
