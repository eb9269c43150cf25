// The session's reader: bytes -> frames -> routes. A connection's messages reach the handlers in
// the order it sent them, pipelined through its lane (up to pipeline_depth at once). Plain
// sockets wait for readability with a callback and read into the loop's shared buffer; TLS
// reads in a coroutine into the session's own buffer. Both end in end_reading() (ws_close.cpp).
#include <array>

#include <boost/asio/co_spawn.hpp>

#include "apigw/frames.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "gateway/invoke.hpp"
#include "gateway/ws_session_impl.hpp"

namespace gateway {
using namespace ws_session;
using tcp = net::ip::tcp;

void ws_session::log_coroutine_failure(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    core::log::error("read loop ended by an exception", {{"error", x.what()}});
  }
}

namespace {
// One receive buffer per socket thread, shared by all its plain connections: a connection reads
// only when the socket is readable and parses the bytes at once, so it never holds the buffer
// across a suspension, and an idle connection costs no buffer at all.
constexpr std::size_t receive_buffer_size = 65536;
std::uint8_t* receive_buffer() {
  thread_local std::array<std::uint8_t, receive_buffer_size> buffer;
  return buffer.data();
}
}  // namespace

template <class Socket>
void WsSession<Socket>::start_reading() {
  if constexpr (tls)
    net::co_spawn(socket_.get_executor(), read_loop(this->shared_from_this()),
                  log_coroutine_failure);
  else
    wait_readable();
}

template <class Socket>
void WsSession<Socket>::wait_readable() {
  socket_.async_wait(tcp::socket::wait_read,
                     [self = this->shared_from_this()](boost::system::error_code ec) {
                       self->on_readable(ec);
                     });
}

template <class Socket>
void WsSession<Socket>::on_readable(boost::system::error_code ec) {
  if (ec || !socket_.is_open()) return end_reading();
  std::uint8_t* buffer = receive_buffer();
  const std::size_t n = socket_.read_some(net::buffer(buffer, receive_buffer_size), ec);
  if (ec == net::error::would_block || ec == net::error::try_again) return wait_readable();
  if (ec) return end_reading();  // end of stream or reset
  // Parse the whole read at once: the buffer is shared with the loop's other connections.
  std::vector<ws::FrameParser::Event> events;
  parse_read(buffer, n, events);
  if (events.empty()) return wait_readable();
  net::co_spawn(socket_.get_executor(), handle_events(this->shared_from_this(), std::move(events)),
                log_coroutine_failure);
}

template <class Socket>
net::awaitable<void> WsSession<Socket>::handle_events(
    [[maybe_unused]] std::shared_ptr<WsSession> self, std::vector<ws::FrameParser::Event> events) {
  for (auto& ev : events) {
    co_await on_event(ev);
    if (!socket_.is_open()) break;
  }
  if (socket_.is_open())
    wait_readable();
  else
    end_reading();
}

// TLS only: the stream reads asynchronously into the session's own buffer.
template <class Socket>
net::awaitable<void> WsSession<Socket>::read_loop([[maybe_unused]] std::shared_ptr<WsSession> self) {
  static_assert(tls, "plain sockets read through wait_readable()");
  std::vector<ws::FrameParser::Event> events;
  while (socket_.is_open()) {
    auto [ec, n] = co_await socket_.stream().async_read_some(
        net::buffer(socket_.read_buffer(), TlsSocket::read_size), use_tuple);
    if (ec) break;  // end of stream, reset or a TLS error
    events.clear();
    parse_read(socket_.read_buffer(), n, events);
    for (auto& ev : events) {
      co_await on_event(ev);
      if (!socket_.is_open()) break;
    }
  }
  end_reading();
}

template <class Socket>
void WsSession<Socket>::parse_read(const std::uint8_t* buffer, std::size_t n,
                                   std::vector<ws::FrameParser::Event>& events) {
  for (std::size_t off = 0; off < n && !hard_failure_;) {
    ws::FrameParser::Event ev;
    off += parser_.parse(buffer + off, n - off, ev);
    if (ev.kind == ws::FrameParser::Kind::none) continue;
    if (ev.kind == ws::FrameParser::Kind::error && ev.code == ws::close_code::protocol_error)
      hard_failure_ = true;
    events.push_back(std::move(ev));
  }
}

template <class Socket>
net::awaitable<void> WsSession<Socket>::on_event(ws::FrameParser::Event& ev) {
  using Kind = ws::FrameParser::Kind;
  const bool open = phase_.is(Phase::open);
  switch (ev.kind) {
    case Kind::text:
      if (!open) co_return;  // closing: frames still arriving are not routed
      last_active_wall_.store(core::now_ms());
      last_active_steady_ = steady_ms();
      ctx_.metrics.frames_in.inc();
      frames_in_.fetch_add(1, std::memory_order_relaxed);
      if (!throttle_ok()) {
        ctx_.metrics.frames_throttled.inc();
        send_gateway_error(apigw::frames::too_many_requests, core::new_connection_id());
        co_return;
      }
      co_await dispatch_frame(std::move(ev.payload));
      co_return;
    case Kind::ping:
      if (open) enqueue(apigw::make_frame(std::move(ev.payload)), ws::Opcode::pong);
      co_return;
    case Kind::pong:
      co_return;
    case Kind::close:
      peer_closed_ = true;
      if (open)
        echo_close(ev.code, std::move(ev.payload));
      else
        cut();  // the answer to our close: the handshake is complete
      co_return;
    case Kind::error:
      start_close(ev.code, ev.payload);
      co_return;
    case Kind::none:
      co_return;
  }
}

template <class Socket>
bool WsSession<Socket>::throttle_ok() {
  const auto now = Clock::now();
  return rate_.take(ctx_.connection_rate, now) && ctx_.ip_rates.take(meta_.peer.source_ip(), now);
}

template <class Socket>
net::awaitable<void> WsSession<Socket>::dispatch_frame(std::string body) {
  // Through an ordered lane the next frames go while the previous are still being handled (up
  // to pipeline_depth, then reading waits); without one (Lambda processes), one at a time.
  if (!lane_) lane_ = ctx_.integration.open_lane();
  if (!lane_) {
    in_flight_ = 1;
    co_await handle_frame(std::move(body), nullptr);
    last_active_steady_ = steady_ms();
    in_flight_ = 0;
    co_return;
  }
  while (in_flight_ >= pipeline_depth) {
    if (!slot_freed_) slot_freed_ = std::make_unique<net::steady_timer>(socket_.get_executor());
    slot_freed_->expires_at(net::steady_timer::time_point::max());
    co_await slot_freed_->async_wait(use_tuple);
  }
  if (!lane_) lane_ = ctx_.integration.open_lane();  // released while waiting for a slot
  ++in_flight_;
  net::co_spawn(socket_.get_executor(), pipelined(this->shared_from_this(), std::move(body)),
                log_coroutine_failure);
}

template <class Socket>
net::awaitable<void> WsSession<Socket>::pipelined([[maybe_unused]] std::shared_ptr<WsSession> self,
                                                  std::string body) {
  const auto lane = lane_;
  co_await handle_frame(std::move(body), lane.get());
  last_active_steady_ = steady_ms();
  // An idle connection holds no lane (a strand on the handler pool); nothing is left in it.
  if (--in_flight_ == 0 && lane_ == lane) lane_.reset();
  if (slot_freed_) slot_freed_->cancel();
}

template <class Socket>
net::awaitable<void> WsSession<Socket>::handle_frame(std::string body, Integration::Lane* lane) {
  auto route = ctx_.selector.select(body);
  if (!route) {
    send_gateway_error(apigw::frames::forbidden, core::new_connection_id());
    co_return;
  }
  auto event = message_event(ctx_.config, meta_, *route, std::move(body), core::now_ms());
  const std::string request_id = event.request_context.request_id;
  const std::string route_key = event.request_context.route_key;
  const auto started = Clock::now();
  // Answered at the timeout, but waited for until it has finished: the next frame must not run
  // before or beside it (docs/protocol.md, "Ordering and catch-up").
  auto timed_out = [this, request_id, route_key] {
    core::log::error("integration timed out", {{"connectionId", meta_.connection_id},
                                               {"requestId", request_id},
                                               {"routeKey", route_key}});
    send_gateway_error(apigw::frames::timed_out, request_id);
  };
  InvokeResult r = co_await invoke_in_order(ctx_.integration, std::move(event),
                                            ctx_.config.integration_timeout, timed_out, lane,
                                            sweep_, &ctx_.inspector);
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
  } else if (r.status == InvokeResult::Status::ok && r.response.body &&
             ctx_.config.two_way_routes.contains(route_key)) {
    // A two-way route ($default route response): the body goes back as it is, whatever the
    // statusCode, as API Gateway sends it.
    (void)send(apigw::make_frame(std::move(*r.response.body)));
  }
  // Every other route is one-way, API Gateway's default: a successful result's body is not sent.
}

template <class Socket>
void WsSession<Socket>::observe(std::string_view route_key, const InvokeResult& r,
                                Clock::time_point started) {
  ctx_.metrics.latency(std::string(route_key))
      .observe(std::chrono::duration<double>(Clock::now() - started).count());
  if (r.status == InvokeResult::Status::error) ctx_.metrics.integration_errors.inc();
  if (r.status == InvokeResult::Status::timeout) ctx_.metrics.integration_timeouts.inc();
}

template <class Socket>
void WsSession<Socket>::send_gateway_error(std::string_view message, const std::string& request_id) {
  (void)send(apigw::make_frame(apigw::frames::gateway_error(message, meta_.connection_id,
                                                            request_id)));
}

#define PARLEY_INSTANTIATE(S)                                                              \
  template void WsSession<S>::start_reading();                                             \
  template void WsSession<S>::observe(std::string_view, const InvokeResult&, Clock::time_point);
PARLEY_INSTANTIATE(PlainSocket)
PARLEY_INSTANTIATE(TlsSocket)
#undef PARLEY_INSTANTIATE

}  // namespace gateway
