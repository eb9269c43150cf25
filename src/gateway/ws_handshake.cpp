// The session's handshake: who gets in (the upgrade's checks, the per-IP limit, the Origin, the
// authorizer), $connect, and the 101 that opens it (Phase handshaking -> open, or -> closed
// when refused). Ends by starting the reader.
#include <algorithm>
#include <cstdint>
#include <limits>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "apigw/frames.hpp"
#include "apigw/route_key.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "gateway/authorizer.hpp"
#include "gateway/await_with_timeout.hpp"
#include "gateway/invoke.hpp"
#include "gateway/origin_policy.hpp"
#include "gateway/ws_session.hpp"
#include "gateway/ws_session_impl.hpp"
#include "gateway/ws_upgrade.hpp"

namespace gateway {
using namespace ws_session;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {
// The socket's own executor: TlsSocket keeps the stream's, PlainSocket its loop's io_context's.
template <class Socket>
typename Socket::executor_type socket_executor(const net::any_io_executor& ex) {
  if constexpr (std::is_same_v<Socket, TlsSocket>)
    return ex;
  else
    return loop_executor(ex);
}
}  // namespace

namespace {
// The parser keeps its limits in 32 bits: a limit of 4 GiB or more is no limit here anyway.
std::uint32_t clamp32(std::size_t n) {
  return static_cast<std::uint32_t>(
      std::min<std::size_t>(n, std::numeric_limits<std::uint32_t>::max()));
}
}  // namespace

template <class Socket>
WsSession<Socket>::WsSession(Context& ctx, LoopInbox& inbox, LoopSweep& sweep,
                             const net::any_io_executor& ex, ConnectionMeta meta)
    : ctx_(ctx), inbox_(inbox), sweep_(sweep), socket_(socket_executor<Socket>(ex)),
      meta_(std::move(meta)),
      parser_({clamp32(ctx.config.max_frame_bytes), clamp32(ctx.config.max_message_bytes)}),
      started_(Clock::now()),
      rate_(ctx.connection_rate, started_),
      last_active_steady_(steady_ms()) {
  last_active_wall_ = meta_.connected_at;
}

template <class Socket>
net::awaitable<void> WsSession<Socket>::refuse(Stream& stream, const Request& req, unsigned status,
                                               std::string_view message) {
  phase_.advance(Phase::closed);
  http::response<http::string_body> res{static_cast<http::status>(status), req.version()};
  res.set(http::field::server, "Parley");
  res.set(http::field::content_type, "application/json");
  // 426 Upgrade Required names the WebSocket version spoken here (RFC 6455 §4.4).
  if (status == 426) res.set(http::field::sec_websocket_version, "13");
  boost::json::object body;
  body["message"] = message;
  res.body() = boost::json::serialize(body);
  res.keep_alive(false);
  res.prepare_payload();
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
  co_await http::async_write(stream, res, use_tuple);
  beast::error_code ec;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ec);
}

// Who gets in, before $connect as on API Gateway: a browser's Origin must be allowed, then the
// authorizer decides (401 without a token, 403 with a bad one). Its context stays with the
// connection and reaches every later event in requestContext.authorizer.
template <class Socket>
net::awaitable<bool> WsSession<Socket>::admit(Stream& stream, const Request& req,
                                              const Handshake& hs) {
  if (!origin_allowed(ctx_.config.allowed_origins, req[http::field::origin])) {
    ctx_.metrics.connects_refused.inc();
    core::log::info("handshake refused", {{"connectionId", meta_.connection_id},
                                          {"sourceIp", meta_.peer.source_ip()},
                                          {"origin", std::string(req[http::field::origin])},
                                          {"status", 403}, {"reason", "origin not allowed"}});
    co_await refuse(stream, req, 403, "Forbidden");
    co_return false;
  }
  if (!ctx_.config.authorizer) co_return true;
  const auto started = Clock::now();
  const Authorizer& authorizer = *ctx_.config.authorizer;
  AuthDecision d;
  if (authorizer.asynchronous()) {
    // A Lambda authorizer: its REQUEST event is made of the $connect event; the socket's loop
    // goes on serving others meanwhile. Past the integration timeout: API Gateway's 500.
    AuthDecision timed_out;
    timed_out.outcome = AuthDecision::Outcome::error;
    timed_out.reason = "the authorizer timed out";
    const auto event = connect_event(ctx_.config, meta_, hs, core::now_ms());
    d = co_await await_with_timeout<AuthDecision>(
        [&](std::function<void(AuthDecision)> done) { authorizer.authorize_async(hs, event, std::move(done)); },
        ctx_.config.integration_timeout, std::move(timed_out));
  } else {
    d = authorizer.authorize(hs);
  }
  if (d.outcome == AuthDecision::Outcome::allow) {
    const auto latency =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    meta_.authorizer = StoredContext(authorizer_context(d, latency));
    co_return true;
  }
  const bool unauthorized = d.outcome == AuthDecision::Outcome::unauthorized;
  const bool failed = d.outcome == AuthDecision::Outcome::error;
  const unsigned status = unauthorized ? 401 : failed ? 500 : 403;
  ctx_.metrics.connects_refused.inc();
  (failed ? core::log::error : core::log::info)(
      "handshake refused", {{"connectionId", meta_.connection_id},
                            {"sourceIp", meta_.peer.source_ip()},
                            {"status", status},
                            {"reason", d.reason}});
  co_await refuse(stream, req, status,
                  unauthorized ? "Unauthorized" : failed ? apigw::frames::internal_error : "Forbidden");
  co_return false;
}

// The upgrade is held until $connect answers; a non-2xx answer refuses it with that status.
template <class Socket>
net::awaitable<bool> WsSession<Socket>::run_connect(Stream& stream, const Request& req,
                                                    Handshake& hs, std::string& subprotocol) {
  if (!ctx_.selector.has(apigw::route_key::connect)) co_return true;
  // The handshake's strings move into the event: nothing reads them after $connect.
  auto event = connect_event(ctx_.config, meta_, std::move(hs), core::now_ms());
  const std::string request_id = event.request_context.request_id;
  const auto started = Clock::now();
  InvokeResult r = co_await invoke_with_timeout(ctx_.integration, std::move(event),
                                                ctx_.config.integration_timeout, &ctx_.inspector);
  observe(apigw::route_key::connect, r, started);
  if (r.status != InvokeResult::Status::ok) {
    ctx_.metrics.connects_refused.inc();
    const bool timed_out = r.status == InvokeResult::Status::timeout;
    core::log::error("$connect integration failed",
                     {{"connectionId", meta_.connection_id}, {"requestId", request_id},
                      {"error", timed_out ? "timeout" : r.error_message}});
    co_await refuse(stream, req, timed_out ? 504 : 502,
                    timed_out ? apigw::frames::timed_out : apigw::frames::internal_error);
    co_return false;
  }
  if (!r.response.ok()) {
    ctx_.metrics.connects_refused.inc();
    const int status = r.response.status_code;
    core::log::info("$connect refused", {{"connectionId", meta_.connection_id},
                                         {"requestId", request_id}, {"status", status}});
    co_await refuse(stream, req,
                    (status >= 100 && status <= 599) ? static_cast<unsigned>(status) : 502,
                    r.response.body.value_or("Forbidden"));
    co_return false;
  }
  for (const auto& [name, value] : r.response.headers)
    if (beast::iequals(name, "Sec-WebSocket-Protocol")) subprotocol = value;
  co_return true;
}

// The 101, written by us: one send on a plain socket (the socket's buffer is empty and takes
// it whole), no websocket::stream built and thrown away. It echoes only a subprotocol the
// $connect handler chose: browsers fail a connection whose requested protocol is not echoed,
// exactly as on AWS. False when it could not be written.
template <class Socket>
net::awaitable<bool> WsSession<Socket>::switch_protocols(Stream& stream, const Request& req,
                                                         const std::string& subprotocol) {
  const std::string answer =
      ws_upgrade::switching_protocols(req[http::field::sec_websocket_key], subprotocol);
  boost::system::error_code ec;
  if constexpr (tls) {
    beast::get_lowest_layer(stream).expires_after(ctx_.config.handshake_timeout);
    std::tie(ec, std::ignore) = co_await net::async_write(stream, net::buffer(answer), use_tuple);
    beast::get_lowest_layer(stream).expires_never();
    if (!ec) socket_.attach(std::move(stream));
  } else {
    adopt(beast::get_lowest_layer(stream).release_socket(), socket_, ec);
    if (!ec) socket_.non_blocking(true, ec);
    std::size_t sent = ec ? 0 : socket_.write_some(net::buffer(answer), ec);
    if (ec == net::error::would_block || ec == net::error::try_again) ec = {};
    if (!ec && sent < answer.size())
      std::tie(ec, std::ignore) = co_await net::async_write(
          socket_, net::buffer(answer.data() + sent, answer.size() - sent), use_tuple);
  }
  if (ec)
    core::log::warn("handshake failed", {{"connectionId", meta_.connection_id},
                                         {"error", ec.message()}});
  co_return !ec;
}

template <class Socket>
net::awaitable<void> WsSession<Socket>::run(Stream stream, Request req, Handshake hs) {
  // A malformed handshake invokes nothing.
  if (const auto refusal = ws_upgrade::check(req)) {
    ctx_.metrics.connects_refused.inc();
    core::log::info("handshake refused", {{"connectionId", meta_.connection_id},
                                          {"sourceIp", meta_.peer.source_ip()},
                                          {"status", refusal->status},
                                          {"reason", refusal->message}});
    co_await refuse(stream, req, refusal->status, refusal->message);
    co_return;
  }
  // --max-connections-per-ip: refused before $connect runs, as a throttled handshake on AWS.
  if (!ctx_.ip_connections.admit(meta_.peer.source_ip())) {
    ctx_.metrics.connects_over_ip_limit.inc();
    core::log::info("handshake refused: too many connections from this address",
                    {{"sourceIp", meta_.peer.source_ip()},
                     {"max", ctx_.config.max_connections_per_ip}});
    co_await refuse(stream, req, 429, apigw::frames::too_many_requests);
    co_return;
  }
  ip_counted_ = true;
  if (!co_await admit(stream, req, hs)) co_return;
  std::string subprotocol;
  if (!co_await run_connect(stream, req, hs, subprotocol)) {
    release_ip();
    co_return;
  }
  if (!co_await switch_protocols(stream, req, subprotocol)) {
    finish(ws::close_code::abnormal, "Handshake failed");
    co_return;
  }
  // The request and its headers are done with; the connection may live for hours.
  req = {};
  hs = Handshake{};
  opened();
  // The frames of the handshake (this coroutine's, serve_websocket's and the HTTP session's, a
  // few KiB with the parser and the request) end here.
  start_reading();
}

template <class Socket>
void WsSession<Socket>::opened() {
  phase_.advance(Phase::open);
  ctx_.registry.add(this->shared_from_this());
  sweep_.add(this->shared_from_this());
  swept_ = true;
  ctx_.metrics.connects.inc();
  core::log::debug("connected", {{"connectionId", meta_.connection_id},
                                 {"sourceIp", meta_.peer.source_ip()}});
}

#define PARLEY_INSTANTIATE(S)                                                                 \
  template WsSession<S>::WsSession(Context&, LoopInbox&, LoopSweep&,                          \
                                   const net::any_io_executor&, ConnectionMeta);              \
  template net::awaitable<void> WsSession<S>::run(Stream, Request, Handshake);
PARLEY_INSTANTIATE(PlainSocket)
PARLEY_INSTANTIATE(TlsSocket)
#undef PARLEY_INSTANTIATE

namespace {

template <class Socket>
net::awaitable<void> serve_on(Context& ctx, LoopInbox& inbox, LoopSweep& sweep,
                              HttpStream<Socket> stream, Request request) {
  Handshake hs;
  for (const auto& field : request) hs.headers.emplace_back(field.name_string(), field.value());
  hs.target = std::string(request.target());
  if constexpr (std::is_same_v<Socket, TlsSocket>) hs.forwarded_proto = "https";
  beast::error_code ec;
  auto& socket = beast::get_lowest_layer(stream).socket();
  auto remote = socket.remote_endpoint(ec);
  auto local = socket.local_endpoint(ec);
  hs.local_port = local.port();

  ConnectionMeta meta;
  meta.connection_id = core::new_connection_id();
  meta.connected_at = core::now_ms();
  std::optional<std::string_view> user_agent;
  if (auto ua = request.find(http::field::user_agent); ua != request.end())
    user_agent = ua->value();
  meta.peer = PeerText(remote.address().to_string(), user_agent,
                       ctx.config.domain_name.empty() ? std::string_view(request[http::field::host])
                                                      : std::string_view(ctx.config.domain_name));

  auto session = std::make_shared<WsSession<Socket>>(ctx, inbox, sweep, stream.get_executor(),
                                                     std::move(meta));
  co_await session->run(std::move(stream), std::move(request), std::move(hs));
}

}  // namespace

net::awaitable<void> serve_websocket(Context& ctx, LoopInbox& inbox, LoopSweep& sweep,
                                     beast::tcp_stream stream, Request request) {
  return serve_on<PlainSocket>(ctx, inbox, sweep, std::move(stream), std::move(request));
}

net::awaitable<void> serve_websocket(Context& ctx, LoopInbox& inbox, LoopSweep& sweep,
                                     TlsStream stream, Request request) {
  return serve_on<TlsSocket>(ctx, inbox, sweep, std::move(stream), std::move(request));
}

}  // namespace gateway
