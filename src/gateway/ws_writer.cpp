// The session's writer: frames from any thread (send) reach the loop through its inbox
// (deliver/flush) and wait in the FrameQueue; everything pending leaves in one gathered write.
// Plain sockets are non-blocking: the write is tried at once, and only what the kernel did not
// take waits for an asynchronous write (no operation, allocation or completion per socket
// otherwise). A TLS stream gathers the frames into one buffer for one SSL write.
#include <string>

#include <boost/asio/write.hpp>

#include "gateway/ws_session_impl.hpp"

namespace gateway {
using namespace ws_session;
using tcp = net::ip::tcp;

namespace {
// Frames bound for one plain socket, copied into one buffer of the socket thread's before the
// send: the kernel then copies one segment instead of a header and a payload per frame
// (uWebSockets "corks" the same way). Larger writes go as they are (the copy would cost more
// than the segments).
constexpr std::size_t send_gather_limit = 65536;
std::string& send_gather_buffer() {
  thread_local std::string buffer;
  return buffer;
}

// `buffers` copied into `into`, one after the other.
void gather(std::string& into, const std::vector<net::const_buffer>& buffers, std::size_t total) {
  into.clear();
  into.reserve(total);
  for (const auto& b : buffers) into.append(static_cast<const char*>(b.data()), b.size());
}
}  // namespace

// Any thread. The bytes are counted here, where the frame is refused or accepted, so a fan-out
// sees a full queue at once; the slow-client clock (sweep) starts at the first refusal.
template <class Socket>
core::result<void> WsSession<Socket>::send(apigw::SharedFrame frame, Outbox& out) {
  if (!phase_.is(Phase::open)) return core::errc::gone;
  const std::size_t n = frame->size();
  if (queued_bytes_.fetch_add(n) + n > ctx_.config.max_send_queue_bytes) {
    queued_bytes_.fetch_sub(n);
    std::int64_t none = 0;
    full_since_ms_.compare_exchange_strong(none, steady_ms());
    return core::errc::limit_exceeded;
  }
  out.add(inbox_, this->shared_from_this(), std::move(frame));
  return {};
}

// A frame of the session's own (a two-way route's answer, a gateway error): a post of one.
template <class Socket>
core::result<void> WsSession<Socket>::send(apigw::SharedFrame frame) {
  Outbox out({});
  return send(std::move(frame), out);
}

template <class Socket>
Deliverable::Owed WsSession<Socket>::deliver(apigw::SharedFrame frame, bool may_linger) {
  push(std::move(frame), ws::Opcode::text);
  if (flush_owed_) return Owed::nothing;
  if (!may_linger) {
    flush_owed_ = true;
    return Owed::flush;
  }
  return std::exchange(lingering_flush_owed_, true) ? Owed::nothing : Owed::lingering_flush;
}

template <class Socket>
void WsSession<Socket>::flush() {
  flush_owed_ = lingering_flush_owed_ = false;
  write_pending();
}

// Queues a frame without writing; false when the connection no longer takes frames: after our
// close frame only that close frame may be queued.
template <class Socket>
bool WsSession<Socket>::push(apigw::SharedFrame f, ws::Opcode op) {
  const bool takes = op == ws::Opcode::close || phase_.is(Phase::open);
  if (!takes || !socket_.is_open()) {
    if (op == ws::Opcode::text) queued_bytes_.fetch_sub(f->size());
    return false;
  }
  queue_.push(std::move(f), op);
  return true;
}

template <class Socket>
void WsSession<Socket>::enqueue(apigw::SharedFrame f, ws::Opcode op) {
  if (push(std::move(f), op)) write_pending();
}

// Writes everything pending in one gathered write; frames queued meanwhile go in the next.
template <class Socket>
void WsSession<Socket>::write_pending() {
  while (writing_ == 0 && !queue_.empty() && socket_.is_open()) {
    const std::size_t entries = queue_.prepare(write_buffers_, max_out_frame);
    auto done = [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
      const std::size_t entries = std::exchange(self->writing_, 0);
      if (ec) {
        self->cut();
        return;
      }
      if (self->written(entries)) self->write_pending();
    };
    const std::size_t total = net::buffer_size(write_buffers_);
    if constexpr (tls) {
      std::string& g = socket_.gather();
      if (g.capacity() > 65536 && g.capacity() > 4 * total) std::string().swap(g);  // after a burst
      gather(g, write_buffers_, total);
      writing_ = static_cast<std::uint32_t>(entries);  // a queue of at most 8 MiB of frames
      net::async_write(socket_.stream(), net::buffer(g), std::move(done));
      return;
    } else {
      boost::system::error_code ec;
      std::size_t sent = 0;
      if (write_buffers_.size() > 2 && total <= send_gather_limit) {
        std::string& g = send_gather_buffer();
        gather(g, write_buffers_, total);
        sent = socket_.write_some(net::buffer(g), ec);
      } else {
        sent = socket_.write_some(write_buffers_, ec);
      }
      if (ec == net::error::would_block || ec == net::error::try_again) {
        ec = {};
        sent = 0;
      }
      if (ec) {
        cut();
        return;
      }
      if (sent == total) {
        if (!written(entries)) return;
        continue;
      }
      // The kernel took part of it: the rest goes when the socket can take it.
      auto first = write_buffers_.begin();
      while (sent >= first->size()) sent -= (first++)->size();
      *first += sent;
      write_buffers_.erase(write_buffers_.begin(), first);
      writing_ = static_cast<std::uint32_t>(entries);  // a queue of at most 8 MiB of frames
      net::async_write(socket_, write_buffers_, std::move(done));
      return;
    }
  }
}

template <class Socket>
bool WsSession<Socket>::written(std::size_t entries) {
  const auto w = queue_.consume(entries);
  const auto left = queued_bytes_.fetch_sub(w.bytes) - w.bytes;
  // Half the bound free again: the client reads; stop the slow-client clock.
  if (left <= ctx_.config.max_send_queue_bytes / 2) full_since_ms_.store(0);
  ctx_.metrics.frames_out.inc(w.messages);
  frames_out_.fetch_add(w.messages, std::memory_order_relaxed);
  if (!w.close) return true;
  // Our echo ends a close the peer began; after our own close we wait for the peer's answer,
  // unless nothing more can be read from it.
  if (peer_closed_ || hard_failure_) {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    if (peer_closed_) cut();
  }
  return false;
}

#define PARLEY_INSTANTIATE(S)                                                           \
  template core::result<void> WsSession<S>::send(apigw::SharedFrame, Outbox&);          \
  template core::result<void> WsSession<S>::send(apigw::SharedFrame);                   \
  template Deliverable::Owed WsSession<S>::deliver(apigw::SharedFrame, bool);           \
  template void WsSession<S>::flush();                                                  \
  template void WsSession<S>::enqueue(apigw::SharedFrame, ws::Opcode);
PARLEY_INSTANTIATE(PlainSocket)
PARLEY_INSTANTIATE(TlsSocket)
#undef PARLEY_INSTANTIATE

}  // namespace gateway
