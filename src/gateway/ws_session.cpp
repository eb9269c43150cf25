#include "gateway/ws_session.hpp"

#include <deque>
#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include "apigw/frames.hpp"
#include "apigw/route_key.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "gateway/event_builder.hpp"
#include "gateway/frame_meter.hpp"
#include "gateway/invoke.hpp"

namespace gateway {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using net::use_awaitable;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = net::as_tuple(use_awaitable);

// AWS fragments PostToConnection payloads into frames of at most 32 KB.
constexpr std::size_t max_out_frame = 32768;
// How much of a message one read takes at most.
constexpr std::size_t read_chunk = 16384;

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
      .count();
}

class WsSession final : public Session, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(Context& ctx, beast::tcp_stream&& stream, ConnectionMeta meta)
      : ctx_(ctx), ws_(ctx.config.max_frame_bytes, std::move(stream)), meta_(std::move(meta)),
        started_(Clock::now()) {
    last_active_wall_ = meta_.connected_at;
    last_active_steady_ = steady_ms();
  }

  const std::string& id() const override { return meta_.connection_id; }

  core::result<void> send(apigw::SharedFrame frame) override {
    if (!open_.load()) return core::errc::gone;
    const std::size_t n = frame->size();
    if (queued_bytes_.fetch_add(n) + n > ctx_.config.max_send_queue_bytes) {
      queued_bytes_.fetch_sub(n);
      return core::errc::limit_exceeded;
    }
    net::post(ws_.get_executor(), [self = shared_from_this(), f = std::move(frame)]() mutable {
      self->enqueue(std::move(f));
    });
    return {};
  }

  void close(unsigned short code, std::string reason) override {
    net::post(ws_.get_executor(), [self = shared_from_this(), code, r = std::move(reason)]() mutable {
      self->start_close(code, std::move(r));
    });
  }

  // Idle timeout and maximum duration, as AWS enforces them; called by the server's sweep.
  void enforce_limits(Clock::time_point now) override {
    if (!open_.load()) return;
    // A frame still being handled is not idleness: its handler may be slow (a store stall),
    // and the client's next frames wait in the socket until it is done.
    if (in_flight_.load() && now - started_ < ctx_.config.max_duration) return;
    const auto last = Clock::time_point(std::chrono::milliseconds(last_active_steady_.load()));
    if (now - last >= ctx_.config.idle_timeout || now - started_ >= ctx_.config.max_duration)
      close(websocket::close_code::going_away, "Going away");
  }

  apigw::ConnectionInfo info() const override {
    return {meta_.connected_at, last_active_wall_.load(), meta_.source_ip, meta_.user_agent};
  }

  net::awaitable<void> run(http::request<http::string_body> req, Handshake hs);

 private:
  net::awaitable<bool> run_connect(const http::request<http::string_body>& req,
                                   const Handshake& hs, std::string& subprotocol);
  net::awaitable<void> refuse(const http::request<http::string_body>& req, unsigned status,
                              std::string_view message);
  net::awaitable<void> read_loop();
  net::awaitable<void> handle_frame(std::string body);
  void enqueue(apigw::SharedFrame f);
  void write_next();
  void start_close(unsigned short code, std::string reason);
  void finish(int code, std::string reason);
  void send_gateway_error(std::string_view message, const std::string& request_id);
  void observe(std::string_view route_key, const InvokeResult& r, Clock::time_point started);

  Context& ctx_;
  websocket::stream<MeteredStream<beast::tcp_stream>> ws_;
  ConnectionMeta meta_;
  const Clock::time_point started_;
  std::atomic<bool> open_{false};
  std::atomic<std::size_t> queued_bytes_{0};
  std::atomic<std::int64_t> last_active_wall_{0};
  std::atomic<std::int64_t> last_active_steady_{0};
  std::atomic<bool> in_flight_{false};
  // Strand-only state.
  std::deque<apigw::SharedFrame> queue_;
  std::uint64_t messages_read_ = 0;
  std::optional<websocket::close_reason> local_close_;
};

net::awaitable<void> WsSession::refuse(const http::request<http::string_body>& req,
                                       unsigned status, std::string_view message) {
  http::response<http::string_body> res{static_cast<http::status>(status), req.version()};
  res.set(http::field::server, "Parley");
  res.set(http::field::content_type, "application/json");
  boost::json::object body;
  body["message"] = message;
  res.body() = boost::json::serialize(body);
  res.keep_alive(false);
  res.prepare_payload();
  auto& stream = beast::get_lowest_layer(ws_);
  stream.expires_after(std::chrono::seconds(5));
  co_await http::async_write(stream, res, use_tuple);
  beast::error_code ec;
  stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
}

// The upgrade is held until $connect answers; a non-2xx answer refuses it with that status.
net::awaitable<bool> WsSession::run_connect(const http::request<http::string_body>& req,
                                            const Handshake& hs, std::string& subprotocol) {
  if (!ctx_.selector.has(apigw::route_key::connect)) co_return true;
  auto event = connect_event(meta_, hs, core::now_ms());
  const std::string request_id = event.request_context.request_id;
  const auto started = Clock::now();
  InvokeResult r = co_await invoke_with_timeout(ctx_.integration, std::move(event),
                                                ctx_.config.integration_timeout);
  observe(apigw::route_key::connect, r, started);
  if (r.status != InvokeResult::Status::ok) {
    ctx_.metrics.connects_refused.inc();
    const bool timed_out = r.status == InvokeResult::Status::timeout;
    core::log::error("$connect integration failed",
                     {{"connectionId", meta_.connection_id}, {"requestId", request_id},
                      {"error", timed_out ? "timeout" : r.error_message}});
    co_await refuse(req, timed_out ? 504 : 502,
                    timed_out ? apigw::frames::timed_out : apigw::frames::internal_error);
    co_return false;
  }
  if (!r.response.ok()) {
    ctx_.metrics.connects_refused.inc();
    const int status = r.response.status_code;
    core::log::info("$connect refused", {{"connectionId", meta_.connection_id},
                                         {"requestId", request_id}, {"status", status}});
    co_await refuse(req, (status >= 100 && status <= 599) ? static_cast<unsigned>(status) : 502,
                    r.response.body.value_or("Forbidden"));
    co_return false;
  }
  for (const auto& [name, value] : r.response.headers)
    if (beast::iequals(name, "Sec-WebSocket-Protocol")) subprotocol = value;
  co_return true;
}

net::awaitable<void> WsSession::run(http::request<http::string_body> req, Handshake hs) {
  std::string subprotocol;
  if (!co_await run_connect(req, hs, subprotocol)) co_return;

  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = ctx_.config.handshake_timeout;
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  ws_.set_option(timeouts);
  // Only echo a subprotocol the $connect handler chose: browsers fail a connection whose
  // requested protocol is not echoed, exactly as on AWS.
  ws_.set_option(websocket::stream_base::decorator([subprotocol](websocket::response_type& res) {
    res.set(http::field::server, "Parley");
    if (!subprotocol.empty()) res.set(http::field::sec_websocket_protocol, subprotocol);
  }));
  // Messages are measured in read_loop; Beast's limit is a backstop for absurd frame headers.
  ws_.read_message_max(2 * ctx_.config.max_message_bytes + read_chunk);
  ws_.auto_fragment(true);
  ws_.write_buffer_bytes(max_out_frame);
  ws_.text(true);

  auto [ec] = co_await ws_.async_accept(req, use_tuple);
  if (ec) {
    core::log::warn("handshake failed", {{"connectionId", meta_.connection_id},
                                         {"error", ec.message()}});
    finish(1006, "Handshake failed");
    co_return;
  }
  open_.store(true);
  ctx_.registry.add(shared_from_this());
  ctx_.metrics.connects.inc();
  core::log::debug("connected", {{"connectionId", meta_.connection_id},
                                 {"sourceIp", meta_.source_ip}});
  co_await read_loop();
}

net::awaitable<void> WsSession::read_loop() {
  beast::flat_buffer buffer;
  for (;;) {
    // Read the message piece by piece so that one over the limit is refused with a closing
    // handshake (Beast's own limit drops the TCP connection while the client may still be
    // sending, and the client then never sees the 1009).
    beast::error_code ec;
    bool too_big = false;
    do {
      auto [rec, n] = co_await ws_.async_read_some(buffer, read_chunk, use_tuple);
      ec = rec;
      too_big = buffer.size() > ctx_.config.max_message_bytes;
    } while (!ec && !too_big && !ws_.is_message_done());
    if (!ec && too_big) {
      buffer.consume(buffer.size());
      ++messages_read_;
      start_close(websocket::close_code::too_big, "Message too big");
      continue;
    }
    if (ec) {
      int code = 1006;
      std::string reason = "Connection lost";
      if (local_close_) {
        code = local_close_->code;
        reason = std::string(local_close_->reason.data(), local_close_->reason.size());
      } else if (ec == websocket::error::closed) {
        const auto& r = ws_.reason();
        code = r.code == websocket::close_code::none ? 1005 : r.code;
        reason = r.code == websocket::close_code::none
                     ? "Client-side close frame status not set"
                     : std::string(r.reason.data(), r.reason.size());
      } else if (ec == websocket::error::message_too_big) {
        code = 1009;
        reason = "Message too big";
      } else if (ec == websocket::error::bad_frame_payload) {
        code = 1007;
        reason = "Invalid frame payload data";
      } else if (ec == websocket::condition::protocol_violation) {
        code = 1002;
        reason = "Protocol error";
      }
      finish(code, std::move(reason));
      co_return;
    }
    last_active_wall_.store(core::now_ms());
    last_active_steady_.store(steady_ms());
    ctx_.metrics.frames_in.inc();
    if (ws_.next_layer().scanner().oversize(messages_read_++)) {
      // A frame over 32 KB inside a message under 128 KB: API Gateway closes with 1009 too.
      buffer.consume(buffer.size());
      start_close(websocket::close_code::too_big, "Frame too big");
      continue;
    }
    if (!ws_.got_text()) {
      // API Gateway does not take binary frames: close 1003 (aws-contract.md §1.6).
      buffer.consume(buffer.size());
      start_close(websocket::close_code::unknown_data, "Binary frames are not supported");
      continue;
    }
    std::string body = beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    if (local_close_) continue;  // closing: frames still in flight are not routed
    // One frame at a time per connection: a client's messages reach handlers in order.
    in_flight_.store(true);
    co_await handle_frame(std::move(body));
    last_active_steady_.store(steady_ms());
    in_flight_.store(false);
  }
}

net::awaitable<void> WsSession::handle_frame(std::string body) {
  auto route = ctx_.selector.select(body);
  if (!route) {
    send_gateway_error(apigw::frames::forbidden, core::new_connection_id());
    co_return;
  }
  auto event = message_event(meta_, *route, std::move(body), core::now_ms());
  const std::string request_id = event.request_context.request_id;
  const std::string route_key = event.request_context.route_key;
  const auto started = Clock::now();
  InvokeResult r = co_await invoke_with_timeout(ctx_.integration, std::move(event),
                                                ctx_.config.integration_timeout);
  observe(route_key, r, started);
  if (core::log::enabled(core::log::level::debug))
    core::log::debug("message", {{"requestId", request_id},
                                 {"connectionId", meta_.connection_id},
                                 {"routeKey", route_key},
                                 {"status", r.status == InvokeResult::Status::ok
                                                ? r.response.status_code
                                                : r.status == InvokeResult::Status::timeout ? 504 : 502},
                                 {"latencyMs", std::chrono::duration<double, std::milli>(
                                                   Clock::now() - started).count()}});
  if (r.status == InvokeResult::Status::error) {
    core::log::error("integration failed", {{"connectionId", meta_.connection_id},
                                            {"requestId", request_id},
                                            {"routeKey", route_key},
                                            {"error", r.error_message}});
    send_gateway_error(apigw::frames::internal_error, request_id);
  } else if (r.status == InvokeResult::Status::timeout) {
    core::log::error("integration timed out", {{"connectionId", meta_.connection_id},
                                               {"requestId", request_id},
                                               {"routeKey", route_key}});
    send_gateway_error(apigw::frames::timed_out, request_id);
  }
  // One-way routes, as API Gateway's default: a successful result's body is not sent.
}

void WsSession::observe(std::string_view route_key, const InvokeResult& r,
                        Clock::time_point started) {
  ctx_.metrics.latency(std::string(route_key))
      .observe(std::chrono::duration<double>(Clock::now() - started).count());
  if (r.status == InvokeResult::Status::error) ctx_.metrics.integration_errors.inc();
  if (r.status == InvokeResult::Status::timeout) ctx_.metrics.integration_timeouts.inc();
}

void WsSession::send_gateway_error(std::string_view message, const std::string& request_id) {
  (void)send(apigw::make_frame(apigw::frames::gateway_error(message, meta_.connection_id,
                                                            request_id)));
}

void WsSession::enqueue(apigw::SharedFrame f) {
  if (!open_.load() || local_close_) {
    queued_bytes_.fetch_sub(f->size());
    return;
  }
  queue_.push_back(std::move(f));
  if (queue_.size() == 1) write_next();
}

void WsSession::write_next() {
  ws_.async_write(net::buffer(*queue_.front()),
                  [self = shared_from_this()](beast::error_code ec, std::size_t) {
                    self->queued_bytes_.fetch_sub(self->queue_.front()->size());
                    self->queue_.pop_front();
                    if (!ec) self->ctx_.metrics.frames_out.inc();
                    if (ec) {
                      for (const auto& f : self->queue_) self->queued_bytes_.fetch_sub(f->size());
                      self->queue_.clear();
                      return;
                    }
                    if (!self->queue_.empty()) self->write_next();
                  });
}

void WsSession::start_close(unsigned short code, std::string reason) {
  if (!open_.load() || local_close_) return;
  local_close_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
  ws_.async_close(*local_close_, [self = shared_from_this()](beast::error_code ec) {
    if (ec && ec != net::error::operation_aborted) {
      beast::error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
    }
  });
}

void WsSession::finish(int code, std::string reason) {
  open_.store(false);
  ctx_.metrics.disconnects.inc();
  ctx_.registry.remove(meta_.connection_id);
  core::log::debug("disconnected", {{"connectionId", meta_.connection_id},
                                    {"disconnectStatusCode", code},
                                    {"disconnectReason", reason}});
  if (!ctx_.selector.has(apigw::route_key::disconnect)) return;
  // Best effort, as on AWS: the result is only logged.
  ctx_.integration.invoke(disconnect_event(meta_, code, std::move(reason), core::now_ms()),
                          [id = meta_.connection_id](InvokeResult r) {
                            if (r.status != InvokeResult::Status::ok)
                              core::log::error("$disconnect integration failed",
                                               {{"connectionId", id}, {"error", r.error_message}});
                          });
}

}  // namespace

net::awaitable<void> serve_websocket(Context& ctx, beast::tcp_stream stream,
                                     http::request<http::string_body> request) {
  Handshake hs;
  for (const auto& field : request) hs.headers.emplace_back(field.name_string(), field.value());
  hs.target = std::string(request.target());
  beast::error_code ec;
  auto remote = stream.socket().remote_endpoint(ec);
  auto local = stream.socket().local_endpoint(ec);
  hs.local_port = local.port();

  ConnectionMeta meta;
  meta.connection_id = core::new_connection_id();
  meta.connected_at = core::now_ms();
  meta.source_ip = remote.address().to_string();
  if (auto ua = request.find(http::field::user_agent); ua != request.end())
    meta.user_agent = std::string(ua->value());
  meta.domain_name = ctx.config.domain_name.empty() ? std::string(request[http::field::host])
                                                    : ctx.config.domain_name;
  meta.stage = ctx.config.stage;
  meta.api_id = ctx.config.api_id;

  auto session = std::make_shared<WsSession>(ctx, std::move(stream), std::move(meta));
  co_await session->run(std::move(request), std::move(hs));
}

}  // namespace gateway
