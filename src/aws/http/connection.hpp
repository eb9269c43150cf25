#pragma once
// One keep-alive HTTP/1.1 connection, plain TCP or TLS. Internal to the http module: it is the
// only header here that includes Beast, and only client.cpp includes it.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <optional>

#include "aws/http/endpoint.hpp"
#include "aws/http/message.hpp"

namespace aws::http::detail {

namespace net = boost::asio;
namespace beast = boost::beast;

class Connection {
 public:
  // tls_context is null for plain http.
  Connection(net::any_io_executor ex, net::ssl::context* tls_context);

  // Resolves, connects and (for https) does the TLS handshake with SNI and host-name checks.
  net::awaitable<boost::system::error_code> open(const Endpoint& ep, std::chrono::milliseconds timeout);

  struct Outcome {
    boost::system::error_code ec;
    bool got_response_bytes = false;  // false: the peer closed before answering (stale connection)
    bool keep_alive = false;
  };
  // Writes the request and reads the whole response within `timeout`.
  net::awaitable<Outcome> exchange(const Request& req, Response& res, std::chrono::milliseconds timeout,
                                   std::size_t body_limit);

  std::chrono::steady_clock::time_point idle_since;

 private:
  beast::tcp_stream& tcp();
  template <class Stream>
  net::awaitable<Outcome> exchange_on(Stream& s, const Request& req, Response& res, std::size_t body_limit);

  net::any_io_executor ex_;
  net::ssl::context* tls_context_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  beast::flat_buffer buffer_;
};

}  // namespace aws::http::detail
