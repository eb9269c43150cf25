#pragma once
// requestContext.authorizer as a connection keeps it between events: its JSON text in one block
// of exactly its size (issue 18). A guest's context (userId, guest, guestToken, principalId,
// integrationLatency) is ~330 bytes so, against ~650 bytes in five allocations as a
// boost::json::object; each event parses it again (~1 µs, once per event, not per delivery).
#include <cstdint>
#include <memory>

#include <boost/json/object.hpp>

namespace gateway {

class StoredContext {
 public:
  StoredContext() = default;
  explicit StoredContext(const boost::json::object& o);
  StoredContext(const StoredContext& other);
  StoredContext& operator=(const StoredContext& other);
  StoredContext(StoredContext&&) noexcept = default;
  StoredContext& operator=(StoredContext&&) noexcept = default;

  explicit operator bool() const { return data_ != nullptr; }  // set (even to {})
  boost::json::object object() const;  // an empty object when not set
  std::size_t size() const { return size_; }  // bytes of JSON text held

 private:
  std::unique_ptr<char[]> data_;
  std::uint32_t size_ = 0;
};

}  // namespace gateway
