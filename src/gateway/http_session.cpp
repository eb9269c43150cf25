#include "gateway/http_session.hpp"

#include <sys/socket.h>

#include <optional>
#include <variant>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>

#include "core/log.hpp"
#include "core/metrics.hpp"
#include "gateway/inspect_stream.hpp"
#include "apigw/post_batch.hpp"
#include "gateway/management_batch.hpp"
#include "gateway/management_endpoint.hpp"
#include "gateway/static_files.hpp"
#include "gateway/ws_session.hpp"

namespace gateway {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr std::size_t max_header_bytes = 16 * 1024;  // AWS: URLs up to 4096 characters
constexpr std::chrono::seconds keep_alive_timeout{60};

HttpResponse plain(const HttpRequest& req, http::status status, std::string_view body) {
  HttpResponse res{status, req.version()};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = std::string(body);
  res.prepare_payload();
  return res;
}

struct Route {
  enum class Kind { stage, management, batch, other } kind = Kind::other;
  std::string connection_id;
};

// Splits the decoded path into what this server serves. The management path may arrive with
// '@' as %40 and the id percent-encoded ('=' as %3D), as AWS SDKs send it.
Route classify(const Config& config, std::string_view target, std::string& path) {
  Route route;
  auto url = boost::urls::parse_origin_form(target);
  if (!url) {
    path = std::string(target);
    return route;
  }
  path = std::string(url->path());
  std::vector<std::string> segs;
  for (auto s : url->segments()) segs.push_back(s);
  if (segs.size() >= 1 && segs[0] == config.stage) {
    if (segs.size() == 1 || (segs.size() == 2 && segs[1].empty())) {
      route.kind = Route::Kind::stage;
    } else if (segs.size() == 3 && segs[1] == "@connections") {
      route.kind = Route::Kind::management;
      route.connection_id = segs[2];
    } else if (segs.size() == 3 && segs[1] == apigw::batch::path_segment &&
               segs[2] == apigw::batch::path_action) {
      route.kind = Route::Kind::batch;
    }
  }
  return route;
}

bool is_loopback(const net::ip::tcp::endpoint& ep) {
  auto a = ep.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return net::ip::make_address_v4(net::ip::v4_mapped, a.to_v6()).is_loopback();
  return a.is_loopback();
}

// A loopback peer that is not a proxy: a request carrying a forwarding header came through a
// reverse proxy on this host from anywhere. Only the management listener looks at this, as
// belt and braces (a proxy must not point there); on the public port no header heuristic is
// trusted: the management API demands SigV4 there whatever the peer.
bool is_direct_loopback(const net::ip::tcp::endpoint& ep, const http::request<http::string_body>& req) {
  if (!is_loopback(ep)) return false;
  for (const char* h : {"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP", "Via"})
    if (req.find(h) != req.end()) return false;
  return true;
}

bool is_loopback_address(const std::string& address) {
  boost::system::error_code ec;
  const auto a = net::ip::make_address(address, ec);
  return !ec && a.is_loopback();
}

ManagementCaller management_caller(Listener listener, const net::ip::tcp::endpoint& peer,
                                   const HttpRequest& req) {
  if (listener == Listener::public_port) return ManagementCaller::public_port;
  return is_direct_loopback(peer, req) ? ManagementCaller::local : ManagementCaller::remote;
}

// Operators' pages and data on the management listener (/metrics, /inspect): for whoever
// reaches it when the operator bound it to the network (--management-bind; Prometheus and a
// browser do not sign), else for direct loopback peers.
bool operator_allowed(const Config& config, const net::ip::tcp::endpoint& peer,
                      const HttpRequest& req) {
  return !is_loopback_address(config.management_bind) || is_direct_loopback(peer, req);
}

HttpResponse metrics(const Config& config, const HttpRequest& req, const net::ip::tcp::endpoint& peer) {
  if (operator_allowed(config, peer, req)) {
    auto res = plain(req, http::status::ok, core::metrics::registry().render());
    res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    return res;
  }
  return plain(req, http::status::forbidden, "forbidden\n");
}

// The request loop, over a plain or a TLS stream.
template <class Stream>
net::awaitable<void> serve_requests(Context& ctx, LoopInbox& inbox, LoopSweep& sweep,
                                    Stream& stream, const net::ip::tcp::endpoint& peer,
                                    Listener listener) {
  beast::flat_buffer buffer;
  beast::error_code ec;

  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(max_header_bytes);
    beast::get_lowest_layer(stream).expires_after(keep_alive_timeout);
    auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
    if (hec) break;  // end of stream, timeout or a malformed request: close the socket
    // One byte over the PostToConnection limit so that the endpoint can answer 413 itself; a
    // node-to-node batch on the management listener carries its ids besides the frame.
    std::string header_path;
    const bool batch = listener == Listener::management &&
                       classify(ctx.config, parser.get().target(), header_path).kind == Route::Kind::batch;
    parser.body_limit((batch ? apigw::batch::max_body_bytes(ctx.config.max_post_bytes) : ctx.config.max_post_bytes) + 1);
    auto [rec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (rec == http::error::body_limit) {
      HttpRequest req = parser.release();
      auto res = aws_error(req.version(), 413, "PayloadTooLargeException",
                           "Request entity too large");
      res.keep_alive(false);
      co_await http::async_write(stream, res, use_tuple);
      break;
    }
    if (rec) break;  // end of stream, timeout or a malformed request: close the socket
    HttpRequest req = parser.release();

    std::string path;
    const Route route = classify(ctx.config, req.target(), path);
    HttpResponse res;
    const bool on_public = listener == Listener::public_port;
    if (route.kind == Route::Kind::stage && on_public) {
      if (beast::websocket::is_upgrade(req)) {
        if (ctx.stopping.load()) {
          res = plain(req, http::status::service_unavailable, "shutting down\n");
        } else {
          beast::get_lowest_layer(stream).expires_never();
          // A coroutine of its own, so that this frame (parser, buffer, stream) ends now
          // instead of living as long as the connection.
          auto ex = stream.get_executor();
          net::co_spawn(ex, serve_websocket(ctx, inbox, sweep, std::move(stream), std::move(req)),
                        [](std::exception_ptr e) {
                          if (!e) return;
                          try {
                            std::rethrow_exception(e);
                          } catch (const std::exception& x) {
                            core::log::error("websocket session ended by an exception",
                                             {{"error", x.what()}});
                          }
                        });
          co_return;
        }
      } else {
        // API Gateway answers a plain GET on the WebSocket endpoint with 426.
        res = plain(req, http::status::upgrade_required, "Upgrade Required\n");
        res.set(http::field::upgrade, "websocket");
      }
    } else if (route.kind == Route::Kind::management) {
      // Per caller, as AWS throttles @connections calls: 429 LimitExceededException.
      if (!ctx.management_rates.take(peer.address().to_string(), std::chrono::steady_clock::now())) {
        ctx.metrics.management_throttled.inc();
        res = aws_error(req.version(), 429, "LimitExceededException", "Too Many Requests");
      } else {
        ctx.metrics.management_connections.inc();
        res = handle_management(ctx, req, route.connection_id,
                                management_caller(listener, peer, req));
      }
    } else if (route.kind == Route::Kind::batch) {
      // One token per request, as for @connections: a batch is one call of the sender's.
      if (!ctx.management_rates.take(peer.address().to_string(), std::chrono::steady_clock::now())) {
        ctx.metrics.management_throttled.inc();
        res = aws_error(req.version(), 429, "LimitExceededException", "Too Many Requests");
      } else {
        res = handle_post_batch(ctx, req, management_caller(listener, peer, req));
      }
    } else if (path == "/healthz") {
      res = plain(req, ctx.stopping.load() ? http::status::service_unavailable : http::status::ok,
                  ctx.stopping.load() ? "stopping\n" : "ok\n");
    } else if (path == "/metrics") {
      // Operators' data: never on the public port, which a proxy may put anyone in front of.
      res = on_public ? plain(req, http::status::forbidden,
                              "forbidden: /metrics is served on the management listener\n")
                      : metrics(ctx.config, req, peer);
    } else if (path == "/inspect" || path.starts_with("/inspect/")) {
      // The inspector beside /metrics, under the same check (docs/security.md).
      if (on_public) {
        res = plain(req, http::status::forbidden,
                    "forbidden: /inspect is served on the management listener\n");
      } else if (!operator_allowed(ctx.config, peer, req)) {
        res = plain(req, http::status::forbidden, "forbidden\n");
      } else if (path == "/inspect/stream" && req.method() == http::verb::get) {
        beast::get_lowest_layer(stream).expires_never();
        co_await stream_inspector(ctx, stream);
        break;
      } else {
        res = serve_static(ctx.config, req, path == "/inspect" || path == "/inspect/"
                                                ? "/inspect/index.html" : path);
      }
    } else if (on_public) {
      res = serve_static(ctx.config, req, path);
    } else {
      res = plain(req, http::status::not_found,
                  "not found: the management listener serves /{stage}/@connections/{id}, "
                  "/metrics, /inspect and /healthz\n");
    }
    res.set(http::field::server, "Parley");
    res.keep_alive(req.keep_alive());
    auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
    if (wec || !res.keep_alive()) break;
  }
  beast::get_lowest_layer(stream).socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
}

}  // namespace

// With tls_optional: whether the client opens with a TLS handshake record (0x16), looked at
// without consuming it. nullopt when it sent nothing within the handshake timeout or left.
static net::awaitable<std::optional<bool>> opens_with_tls(Context& ctx, net::ip::tcp::socket& socket) {
  using namespace net::experimental::awaitable_operators;
  net::steady_timer timer(socket.get_executor());
  timer.expires_after(ctx.config.handshake_timeout);
  auto first = co_await (socket.async_wait(net::socket_base::wait_read, use_tuple) ||
                         timer.async_wait(use_tuple));
  if (first.index() != 0 || std::get<0>(std::get<0>(first))) co_return std::nullopt;
  unsigned char byte = 0;
  const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK);
  if (n != 1) co_return std::nullopt;
  co_return byte == 0x16;
}

net::awaitable<void> serve_http(Context& ctx, LoopInbox& inbox, LoopSweep& sweep,
                                net::ip::tcp::socket socket, Listener listener) {
  beast::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) co_return;
  bool tls = ctx.tls != nullptr;
  if (tls && ctx.config.tls_optional) {
    auto opens = co_await opens_with_tls(ctx, socket);
    if (!opens) co_return;
    tls = *opens;
  }
  if (!tls) {
    beast::tcp_stream stream(std::move(socket));
    co_await serve_requests(ctx, inbox, sweep, stream, peer, listener);
    co_return;
  }
  // TLS: https:// for the page and the APIs, wss:// for the WebSocket.
  TlsStream stream(std::move(socket), *ctx.tls);
  beast::get_lowest_layer(stream).expires_after(ctx.config.handshake_timeout);
  auto [hec] = co_await stream.async_handshake(net::ssl::stream_base::server, use_tuple);
  if (hec) {
    core::log::debug("TLS handshake failed", {{"sourceIp", peer.address().to_string()},
                                              {"error", hec.message()}});
    co_return;
  }
  co_await serve_requests(ctx, inbox, sweep, stream, peer, listener);
}

}  // namespace gateway
