// The session's end: the closing handshake (ours or the peer's, open -> closing), its codes, the
// sweep's limits, the one end of reading (-> closed) and $disconnect.
#include <boost/asio/post.hpp>

#include "apigw/route_key.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "gateway/invoke.hpp"
#include "gateway/ws_session_impl.hpp"

namespace gateway {
using namespace ws_session;
using tcp = net::ip::tcp;

template <class Socket>
void WsSession<Socket>::close(unsigned short code, std::string reason) {
  net::post(socket_.get_executor(),
            [self = this->shared_from_this(), code, r = std::move(reason)]() mutable {
              self->start_close(code, std::move(r));
            });
}

// On the loop, from its LoopSweep: the closing handshake's deadline; a client that stopped
// reading; idle timeout and maximum duration, as AWS enforces them.
// Every deadline is measured against `now` (the sweep's clock reading, steady_ms()'s clock).
template <class Socket>
void WsSession<Socket>::sweep(Clock::time_point now) {
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const Phase phase = phase_.now();
  if (phase == Phase::closing) {
    if (!ending_ || now_ms - ending_->since_ms > close_timeout.count() * 1000) cut();
    return;
  }
  if (phase != Phase::open) return;
  release_buffers();  // a quiet connection holds no write buffers (ws_buffers.cpp)
  // A client that stopped reading: its queue has stayed full for send_queue_timeout.
  const std::int64_t full_since = full_since_ms_.load();
  if (full_since != 0 && ctx_.config.send_queue_timeout.count() > 0 &&
      now_ms - full_since >= ctx_.config.send_queue_timeout.count() * 1000) {
    close_slow_client();
    return;
  }
  // A frame still being handled is not idleness: its handler may be slow (a store stall),
  // and the client's next frames wait in the socket until it is done.
  if (in_flight_ > 0 && now - started_ < ctx_.config.max_duration) return;
  const auto last = Clock::time_point(std::chrono::milliseconds(last_active_steady_));
  if (now - last >= ctx_.config.idle_timeout || now - started_ >= ctx_.config.max_duration)
    start_close(ws::close_code::going_away, "Going away");
}

// Our close: the close frame follows what is queued, and reading goes on until the peer
// answers (or the sweep's deadline cuts it). `code` and `reason` go to $disconnect.
template <class Socket>
void WsSession<Socket>::start_close(std::uint16_t code, std::string reason) {
  if (!socket_.is_open() || !phase_.advance(Phase::closing)) return;
  ending_ = std::make_unique<Ending>(Ending{steady_ms(), code, reason});
  enqueue(apigw::make_frame(ws::close_payload(code, reason)), ws::Opcode::close);
}

// The peer closes: echo its code (none for 1005) and report it to $disconnect.
template <class Socket>
void WsSession<Socket>::echo_close(std::uint16_t code, std::string reason) {
  if (!phase_.advance(Phase::closing)) return;
  ending_ = std::make_unique<Ending>(
      Ending{steady_ms(), code,
             code == ws::close_code::no_status ? std::string("Client-side close frame status not set")
                                               : reason});
  enqueue(apigw::make_frame(ws::close_payload(code, reason)), ws::Opcode::close);
}

// The slow-client policy (docs/protocol.md): the frames not yet being written are dropped, so
// the close frame follows the write under way (it reaches a client that reads again), and the
// closing handshake's deadline cuts a client that never does. $disconnect gets 1008.
template <class Socket>
void WsSession<Socket>::close_slow_client() {
  if (!phase_.is(Phase::open) || !socket_.is_open() || full_since_ms_.load() == 0) return;
  const std::size_t dropped = queue_.truncate(writing_);
  queued_bytes_.fetch_sub(dropped);
  full_since_ms_.store(0);
  ctx_.metrics.slow_client_closes.inc();
  core::log::warn("closing a client that stopped reading",
                  {{"connectionId", meta_.connection_id}, {"sourceIp", meta_.peer.source_ip()},
                   {"droppedBytes", dropped},
                   {"sendQueueTimeoutS", ctx_.config.send_queue_timeout.count()}});
  start_close(ws::close_code::policy_violation, "Slow client: send queue full");
}

template <class Socket>
void WsSession<Socket>::cut() {
  if (!socket_.is_open()) return;
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  // A write under way completes with an error and cleans up then.
  if (writing_ == 0) {
    queue_.clear();
    queued_bytes_.store(0);
  }
}

template <class Socket>
void WsSession<Socket>::end_reading() {
  const auto [code, reason] =
      ending_ ? std::pair<int, std::string>{ending_->code, ending_->reason}
              : std::pair<int, std::string>{ws::close_code::abnormal, "Connection lost"};
  cut();
  finish(code, reason);
}

template <class Socket>
void WsSession<Socket>::finish(int code, std::string reason) {
  phase_.advance(Phase::closed);
  release_ip();
  if (std::exchange(swept_, false)) sweep_.remove(this);
  ctx_.metrics.disconnects.inc();
  ctx_.registry.remove(meta_.connection_id);
  core::log::debug("disconnected", {{"connectionId", meta_.connection_id},
                                    {"disconnectStatusCode", code},
                                    {"disconnectReason", reason}});
  if (!ctx_.selector.has(apigw::route_key::disconnect)) return;
  // Best effort, as on AWS: the result is only logged. After the frames still in flight.
  auto event = disconnect_event(ctx_.config, meta_, code, std::move(reason), core::now_ms());
  auto done = [id = meta_.connection_id](InvokeResult r) {
    if (r.status != InvokeResult::Status::ok)
      core::log::error("$disconnect integration failed",
                       {{"connectionId", id}, {"error", r.error_message}});
  };
  invoke_detached(ctx_.integration, lane_.get(), std::move(event), std::move(done), &ctx_.inspector);
}

template <class Socket>
void WsSession<Socket>::release_ip() {
  if (!ip_counted_) return;
  ip_counted_ = false;
  ctx_.ip_connections.release(meta_.peer.source_ip());
}

#define PARLEY_INSTANTIATE(S)                                                  \
  template void WsSession<S>::close(unsigned short, std::string);              \
  template void WsSession<S>::sweep(Clock::time_point);                        \
  template void WsSession<S>::start_close(std::uint16_t, std::string);         \
  template void WsSession<S>::echo_close(std::uint16_t, std::string);          \
  template void WsSession<S>::cut();                                           \
  template void WsSession<S>::end_reading();                                   \
  template void WsSession<S>::finish(int, std::string);                        \
  template void WsSession<S>::release_ip();
PARLEY_INSTANTIATE(PlainSocket)
PARLEY_INSTANTIATE(TlsSocket)
#undef PARLEY_INSTANTIATE

}  // namespace gateway
