#pragma once
// API Gateway closes a connection with 1009 when one *frame* exceeds 32 KB, even inside a message
// under the 128 KB limit. Beast does not expose frame headers, so the gateway reads them itself
// on their way through: FrameScanner parses the client's frame headers from the raw bytes, and
// MeteredStream is the layer between Beast's websocket stream and the TCP stream that feeds it.
#include <cstddef>
#include <cstdint>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace gateway {

class FrameScanner {
 public:
  explicit FrameScanner(std::uint64_t max_payload) : max_payload_(max_payload) {}

  // Feeds bytes as read from the client, in order.
  void feed(const unsigned char* p, std::size_t n);
  // True when the `index`-th message (0-based, in arrival order) has a frame over the limit.
  bool oversize(std::uint64_t index) const { return oversize_ && first_oversize_ == index; }

 private:
  enum class State { header, payload };
  void on_header();

  std::uint64_t max_payload_;
  State state_ = State::header;
  unsigned char header_[14] = {};
  std::size_t have_ = 0;
  std::size_t need_ = 2;
  std::uint64_t remaining_ = 0;
  std::uint64_t messages_ = 0;  // data messages whose last frame has been seen
  std::uint64_t first_oversize_ = 0;
  bool oversize_ = false;
};

template <class NextLayer>
class MeteredStream {
 public:
  using executor_type = typename NextLayer::executor_type;

  template <class... Args>
  MeteredStream(std::uint64_t max_frame, Args&&... args)
      : next_(std::forward<Args>(args)...), scanner_(max_frame) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  NextLayer& next_layer() noexcept { return next_; }
  const NextLayer& next_layer() const noexcept { return next_; }
  const FrameScanner& scanner() const { return scanner_; }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    auto ex = boost::asio::get_associated_executor(handler, next_.get_executor());
    return next_.async_read_some(
        buffers, boost::asio::bind_executor(
                     ex, [this, buffers, h = std::forward<Handler>(handler)](
                             boost::system::error_code ec, std::size_t n) mutable {
                       std::size_t left = n;
                       for (auto it = boost::asio::buffer_sequence_begin(buffers);
                            left > 0 && it != boost::asio::buffer_sequence_end(buffers); ++it) {
                         boost::asio::const_buffer b(*it);
                         const std::size_t take = std::min(left, b.size());
                         scanner_.feed(static_cast<const unsigned char*>(b.data()), take);
                         left -= take;
                       }
                       std::move(h)(ec, n);
                     }));
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return next_.async_write_some(buffers, std::forward<Handler>(handler));
  }

 private:
  NextLayer next_;
  FrameScanner scanner_;
};

// Closing a metered stream is closing the stream below it.
template <class NextLayer>
void teardown(boost::beast::role_type role, MeteredStream<NextLayer>& s,
              boost::system::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, s.next_layer(), ec);
}

template <class NextLayer, class Handler>
void async_teardown(boost::beast::role_type role, MeteredStream<NextLayer>& s, Handler&& h) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, s.next_layer(), std::forward<Handler>(h));
}

}  // namespace gateway
