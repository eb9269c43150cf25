#include "aws/http/connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <memory>

namespace aws::http::detail {
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
}  // namespace

Connection::Connection(net::any_io_executor ex, net::ssl::context* tls_context)
    : ex_(std::move(ex)), tls_context_(tls_context) {}

beast::tcp_stream& Connection::tcp() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }

net::awaitable<boost::system::error_code> Connection::open(const Endpoint& ep,
                                                           std::chrono::milliseconds timeout) {
  if (ep.tls) {
    tls_.emplace(ex_, *tls_context_);
  } else {
    plain_.emplace(ex_);
  }
  // The deadline covers DNS too: async_resolve runs on Asio's resolver thread, never this loop's.
  // Shared with the guard, whose handler may still run after this frame is gone.
  auto resolver = std::make_shared<tcp::resolver>(ex_);
  auto timed_out = std::make_shared<bool>(false);
  net::steady_timer guard(ex_, timeout);
  guard.async_wait([resolver, timed_out](boost::system::error_code e) {
    if (!e) *timed_out = true, resolver->cancel();
  });
  auto [rec, results] = co_await resolver->async_resolve(ep.host, std::to_string(ep.port), use_tuple);
  guard.cancel();
  if (*timed_out) co_return beast::error::timeout;
  if (rec) co_return rec;

  tcp().expires_after(timeout);
  auto [cec, _] = co_await tcp().async_connect(results, use_tuple);
  if (cec) co_return cec;
  tcp().socket().set_option(tcp::no_delay(true));

  if (tls_) {
    // SNI, so that virtual-hosted endpoints present the right certificate.
    boost::system::error_code not_ip;
    net::ip::make_address(ep.host, not_ip);
    if (not_ip && !SSL_set_tlsext_host_name(tls_->native_handle(), ep.host.c_str()))
      co_return boost::system::error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category());
    tls_->set_verify_callback(net::ssl::host_name_verification(ep.host));
    auto [hec] = co_await tls_->async_handshake(net::ssl::stream_base::client, use_tuple);
    if (hec) co_return hec;
  }
  tcp().expires_never();
  co_return boost::system::error_code{};
}

template <class Stream>
net::awaitable<Connection::Outcome> Connection::exchange_on(Stream& s, const Request& req, Response& res,
                                                            std::size_t body_limit) {
  Outcome out;
  http::request<http::string_body> msg{http::string_to_verb(req.method), req.target, 11};
  if (msg.method() == http::verb::unknown) msg.method_string(req.method);
  for (const auto& h : req.headers) msg.insert(h.name, h.value);
  msg.body() = req.body;
  msg.keep_alive(true);
  msg.prepare_payload();
  auto [wec, wn] = co_await http::async_write(s, msg, use_tuple);
  if (wec) {
    out.ec = wec;
    co_return out;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(body_limit);
  if (msg.method() == http::verb::head) parser.skip(true);
  auto [rec, rn] = co_await http::async_read(s, buffer_, parser, use_tuple);
  out.got_response_bytes = parser.got_some();
  if (rec) {
    out.ec = rec;
    co_return out;
  }
  auto& m = parser.get();
  res.status = static_cast<int>(m.result_int());
  res.headers.clear();
  for (const auto& f : m) res.headers.push_back({std::string(f.name_string()), std::string(f.value())});
  res.body = std::move(m.body());
  out.keep_alive = m.keep_alive();
  co_return out;
}

net::awaitable<Connection::Outcome> Connection::exchange(const Request& req, Response& res,
                                                         std::chrono::milliseconds timeout,
                                                         std::size_t body_limit) {
  tcp().expires_after(timeout);
  Outcome out = tls_ ? co_await exchange_on(*tls_, req, res, body_limit)
                     : co_await exchange_on(*plain_, req, res, body_limit);
  tcp().expires_never();
  co_return out;
}

}  // namespace aws::http::detail
