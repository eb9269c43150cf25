// What a connection gives back when it goes quiet (issue 18, docs/performance-notes.md): the
// vectors a write grows (queue entries, frame headers, iovecs) and, over TLS, the buffer a write
// was gathered into. A busy connection keeps them from one write to the next; the loop's sweep
// (once a second) frees them when nothing is queued or being written, so a connection that only
// said hello holds no write buffer, while one in a busy room pays an allocation per second.
#include "gateway/ws_session_impl.hpp"

namespace gateway {
using tcp = boost::asio::ip::tcp;

template <class Socket>
std::size_t WsSession<Socket>::held_bytes() const {
  std::size_t bytes = queue_.held_bytes() + parser_.held_bytes() +
                      write_buffers_.capacity() * sizeof(boost::asio::const_buffer);
  if constexpr (tls) bytes += socket_.gather_capacity();
  return bytes;
}

template <class Socket>
void WsSession<Socket>::release_buffers() {
  // A write under way points into these (async_write after a partial send).
  if (writing_ != 0 || !queue_.empty()) return;
  queue_.release();
  std::vector<boost::asio::const_buffer>().swap(write_buffers_);  // `= {}` keeps the capacity
  if constexpr (tls) socket_.release_gather();
}

template std::size_t WsSession<PlainSocket>::held_bytes() const;
template std::size_t WsSession<TlsSocket>::held_bytes() const;
template void WsSession<PlainSocket>::release_buffers();
template void WsSession<TlsSocket>::release_buffers();

}  // namespace gateway
