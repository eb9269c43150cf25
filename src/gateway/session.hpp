#pragma once
// One client connection as the rest of the gateway sees it, without Beast types.
#include <chrono>
#include <memory>
#include <string>

#include "apigw/connections.hpp"
#include "core/error.hpp"

namespace gateway {

class Outbox;

class Session {
 public:
  virtual ~Session() = default;

  virtual const std::string& id() const = 0;
  // Queues a text frame in `out`, which hands it to the connection's socket thread with the
  // post's other frames. Errors: gone (closed), limit_exceeded (send queue full).
  // Thread-safe; never blocks.
  virtual core::result<void> send(apigw::SharedFrame frame, Outbox& out) = 0;
  // Starts the closing handshake with `code`; $disconnect follows. Thread-safe.
  virtual void close(unsigned short code, std::string reason) = 0;
  virtual apigw::ConnectionInfo info() const = 0;
  // Closes the connection (1001) when it has been idle or open for too long. Thread-safe.
  virtual void enforce_limits(std::chrono::steady_clock::time_point now) = 0;
};

}  // namespace gateway
