#pragma once
// One client connection as the rest of the gateway sees it, without Beast types.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "apigw/connections.hpp"
#include "core/error.hpp"

namespace gateway {

class Outbox;

// Counters of one connection, for the inspector's Connections table.
struct SessionStats {
  std::uint64_t frames_in = 0;   // text frames from the client
  std::uint64_t frames_out = 0;  // messages written to it
  std::size_t queued_bytes = 0;  // waiting in its send queue
  std::optional<boost::json::object> authorizer;  // requestContext.authorizer (user, name)
};

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
  virtual SessionStats stats() const { return {}; }
  // Limits (idle timeout, maximum duration, slow client) are not part of this interface: each
  // socket loop sweeps its own connections (loop_sweep.hpp).
};

}  // namespace gateway
