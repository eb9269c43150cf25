#pragma once
// Asynchronous HTTP/1.1 client for AWS endpoints: a bounded keep-alive pool per (host, port, tls),
// DNS through async_resolve, TLS with peer and host-name verification against the system CAs.
// Beast stays in the .cpp files (pimpl) so that callers compile fast.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "aws/http/endpoint.hpp"
#include "aws/http/message.hpp"
#include "core/error.hpp"

namespace aws::http {

// Defaults follow botocore's (connect_timeout, read_timeout, max_pool_connections).
struct ClientOptions {
  std::chrono::milliseconds connect_timeout{60'000};  // DNS + TCP + TLS handshake
  std::chrono::milliseconds request_timeout{60'000};  // write the request + read the response
  std::size_t max_connections_per_endpoint = 10;      // further requests wait for a free one
  // Idle connections are dropped after this long: under the 5 s keep-alive of Node servers
  // (dynalite) and common proxies, so that a pooled connection is rarely already closed.
  std::chrono::milliseconds idle_timeout{4'000};
  std::size_t max_response_bytes = 64 * 1024 * 1024;
  bool verify_peer = true;
  std::string ca_file;  // empty: the system's default CA paths
};

// Use one Client from one executor (a single-threaded io_context or a strand): its pools are not
// locked. The gateway's loops each get their own; BlockingClient runs one on its own thread.
class Client {
 public:
  explicit Client(boost::asio::any_io_executor ex, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends `req` and reads the response. Errors are transport failures only (resolve, connect,
  // TLS, timeout = beast::error::timeout, reset); any HTTP status is a Response. A pooled
  // connection that the server had closed is replaced once, transparently. Parameters are taken
  // by value: the coroutine may outlive the caller's temporaries.
  boost::asio::awaitable<core::result<Response>> request(Endpoint ep, Request req);

  // Connections to `ep` that are open (idle or busy); for tests and metrics.
  std::size_t open_connections(const Endpoint& ep) const;
  // Closes every idle connection (e.g. after the server restarted).
  void close_idle();

  const ClientOptions& options() const;
  boost::asio::any_io_executor executor() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace aws::http
