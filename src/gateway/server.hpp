#pragma once
// The gateway: a listener on one port serving the browser client, the WebSocket stage and the
// management API, on `threads` socket threads.
#include <memory>

#include "gateway/config.hpp"
#include "gateway/integration.hpp"

namespace gateway {

struct Context;

class Server {
 public:
  // Binds the port (0: any free port); throws std::system_error when it cannot.
  Server(Config config, Integration& integration);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  unsigned short port() const;
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
