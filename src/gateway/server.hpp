#pragma once
// The gateway: a public port serving the browser client, the WebSocket stage and the
// SigV4-signed management API, and the management listener (@connections, /metrics; loopback by
// default), on `threads` socket threads.
#include <memory>

#include <boost/system/system_error.hpp>

#include "gateway/config.hpp"
#include "gateway/integration.hpp"

namespace gateway {

struct Context;

// Why a port could not be bound (code()), and which: the public one or the management listener.
struct ListenError : boost::system::system_error {
  ListenError(boost::system::error_code ec, bool management_port)
      : boost::system::system_error(ec), management(management_port) {}
  bool management;
};

class Server {
 public:
  // Binds the ports (0: any free port); throws ListenError when it cannot.
  Server(Config config, Integration& integration);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  unsigned short port() const;
  // The management listener's port (config.management_port, or the one picked for 0).
  unsigned short management_port() const;
  const Config& config() const;
  Context& context();

  // Serves until shutdown() (or SIGINT/SIGTERM) has closed every session; blocks.
  void run();
  // Stops accepting, closes every session with 1001 so each gets its $disconnect, and returns
  // run() once they are gone or after `grace`. Thread-safe.
  void shutdown(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gateway
