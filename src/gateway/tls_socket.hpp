#pragma once
// A WebSocket's transport after the upgrade when the port speaks TLS: the TLS stream the HTTP
// session negotiated, with the few members of tcp::socket that WsSession uses, so that the
// plain path keeps its tcp::socket (readiness wait + non-blocking read into the thread's shared
// buffer, corked writev) and only the TLS path pays for TLS.
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace gateway {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

class TlsSocket {
 public:
  // One TLS record's worth: a read never returns more than one record's plaintext anyway.
  static constexpr std::size_t read_size = 16384;

  using executor_type = boost::asio::any_io_executor;

  explicit TlsSocket(const boost::asio::any_io_executor& ex) : executor_(ex) {}

  // Takes the stream over once the WebSocket handshake is done.
  void attach(TlsStream&& s) {
    stream_ = std::make_unique<TlsStream>(std::move(s));
    boost::beast::get_lowest_layer(*stream_).expires_never();
    read_buffer_ = std::make_unique<std::uint8_t[]>(read_size);
  }

  TlsStream& stream() { return *stream_; }
  std::uint8_t* read_buffer() { return read_buffer_.get(); }
  // Where a corked write's buffers are gathered: one SSL write of everything pending, instead
  // of one TLS record per buffer (Asio's SSL stream writes a buffer sequence buffer by buffer).
  std::string& gather() { return gather_; }
  std::size_t gather_capacity() const { return gather_.capacity(); }
  void release_gather() { std::string().swap(gather_); }  // no write under way

  const boost::asio::any_io_executor& get_executor() const { return executor_; }
  bool is_open() const {
    return stream_ && boost::beast::get_lowest_layer(*stream_).socket().is_open();
  }
  void shutdown(boost::asio::ip::tcp::socket::shutdown_type what, boost::system::error_code& ec) {
    if (stream_) boost::beast::get_lowest_layer(*stream_).socket().shutdown(what, ec);
  }
  void close(boost::system::error_code& ec) {
    if (stream_) boost::beast::get_lowest_layer(*stream_).socket().close(ec);
  }

 private:
  boost::asio::any_io_executor executor_;
  std::unique_ptr<TlsStream> stream_;
  std::unique_ptr<std::uint8_t[]> read_buffer_;
  std::string gather_;
};

}  // namespace gateway
