#pragma once
// A WebSocket client connection (ws:// and wss://) for coroutines on one thread. Beast and
// OpenSSL stay in ws_client.cpp.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include "client/ws_url.hpp"

namespace client {

struct WsOptions {
  // DNS, TCP, TLS and the upgrade together.
  std::chrono::milliseconds connect_timeout{10000};
  // Silence after which the connection counts as dead; a WebSocket ping goes out after half of
  // it, so a live server always answers in time. Zero: never.
  std::chrono::seconds idle_timeout{60};
  // How long our close frame may wait for the server's.
  std::chrono::seconds close_timeout{5};
  // API Gateway closes on frames over 32 KB: longer messages go out in fragments.
  std::size_t max_frame_bytes = 32768;
  std::string user_agent = "parley-chat";
};

// How connect() ended.
struct ConnectResult {
  boost::system::error_code ec;  // empty: the connection is open
  unsigned http_status = 0;      // the status of a refused upgrade (0: no HTTP answer at all)
  std::string http_body;         // and its body

  explicit operator bool() const { return !ec; }

  // For people: "the server refused the connection: HTTP 400: invalid name", or
  // "cannot connect to ws://...: Connection refused".
  std::string describe(const WsUrl& url) const;
};

// What one read() got: a text message, or the end of the connection.
struct Incoming {
  bool closed = false;
  std::string text;
  // The close frame's code (1005 when it had none); 1006 when the connection ended without one.
  unsigned short close_code = 0;
  std::string close_reason;
  boost::system::error_code ec;  // why it ended, when it was not a close handshake
};

class WsClient {
 public:
  virtual ~WsClient() = default;

  // Resolves, connects, does TLS (SNI, system CAs, host name check) for wss:// and upgrades.
  // Call once, from the executor's thread, like everything else here.
  virtual boost::asio::awaitable<ConnectResult> connect() = 0;

  // The next message, or the end of the connection (then every later read() ends at once).
  // One read at a time.
  virtual boost::asio::awaitable<Incoming> read() = 0;

  // Queues a text message; messages go out in order. Dropped once close() was called.
  virtual void send(std::string text) = 0;

  // Sends a close frame with `code` after the queued messages; the pending read() then ends.
  virtual void close(unsigned short code) = 0;

  // True between a successful connect() and the end of the connection.
  virtual bool is_open() const = 0;
};

// A client for `url` (its scheme picks TLS) on `executor`.
std::shared_ptr<WsClient> make_ws_client(boost::asio::any_io_executor executor, WsUrl url,
                                         WsOptions options = {});

}  // namespace client
