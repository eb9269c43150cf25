#pragma once
// One client connection as the rest of the gateway sees it, without Beast types.
#include <chrono>
#include <memory>
#include <string>

#include "apigw/connections.hpp"
#include "core/error.hpp"

namespace gateway {

class Session {
 public:
  virtual ~Session() = default;

  virtual const std::string& id() const = 0;
  // Queues a text frame. Errors: gone (closed), limit_exceeded (send queue full).
  // Thread-safe; never blocks.
  virtual core::result<void> send(apigw::SharedFrame frame) = 0;
  // Starts the closing handshake with `code`; $disconnect follows. Thread-safe.
  virtual void close(unsigned short code, std::string reason) = 0;
  virtual apigw::ConnectionInfo info() const = 0;
  // Limits (idle timeout, maximum duration, slow client) are not part of this interface: each
  // socket loop sweeps its own connections (loop_sweep.hpp).
};

}  // namespace gateway
