#include "client/ws_client.hpp"

#include <deque>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace client {
namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using net::use_awaitable;

namespace {

constexpr auto use_tuple = net::as_tuple(use_awaitable);

// A history page holds up to 100 messages of up to 4096 characters, JSON-escaped.
constexpr std::size_t max_read_message = 16u << 20;

using PlainWs = websocket::stream<beast::tcp_stream>;
using TlsWs = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

template <class Ws>
class BeastWsClient final : public WsClient,
                            public std::enable_shared_from_this<BeastWsClient<Ws>> {
 public:
  BeastWsClient(net::any_io_executor ex, WsUrl url, WsOptions options,
                std::shared_ptr<ssl::context> tls)
      : ex_(ex), url_(std::move(url)), options_(std::move(options)), tls_(std::move(tls)),
        resolver_(ex), watchdog_(ex) {
    if constexpr (std::is_same_v<Ws, TlsWs>)
      ws_.emplace(ex, *tls_);
    else
      ws_.emplace(ex);
  }

  net::awaitable<ConnectResult> connect() override {
    auto self = this->shared_from_this();
    // One deadline over every step: when it passes, the step under way is cut off.
    watchdog_.expires_after(options_.connect_timeout);
    watchdog_.async_wait([self](boost::system::error_code ec) {
      if (ec) return;
      self->timed_out_ = true;
      self->resolver_.cancel();
      beast::get_lowest_layer(*self->ws_).close();
    });
    ConnectResult r = co_await handshake();
    watchdog_.cancel();
    if (r.ec && timed_out_) r.ec = beast::error::timeout;
    open_ = !r.ec;
    co_return r;
  }

  net::awaitable<Incoming> read() override {
    if (ended_) co_return *ended_;
    auto self = this->shared_from_this();
    auto [ec, n] = co_await ws_->async_read(buffer_, use_tuple);
    Incoming in;
    if (!ec) {
      in.text = beast::buffers_to_string(buffer_.data());
      buffer_.consume(buffer_.size());
      co_return in;
    }
    open_ = false;
    in.closed = true;
    if (ec == websocket::error::closed) {
      const auto& reason = ws_->reason();
      in.close_code = reason.code == websocket::close_code::none ? 1005 : reason.code;
      in.close_reason.assign(reason.reason.data(), reason.reason.size());
    } else {
      in.close_code = 1006;
      in.ec = ec;
    }
    ended_ = in;
    co_return in;
  }

  void send(std::string text) override {
    if (!open_ || close_code_) return;
    queue_.push_back(std::move(text));
    if (!writing_) write_next();
  }

  void close(unsigned short code) override {
    if (!open_ || close_code_) return;
    close_code_ = code;
    if (!writing_) start_close();
  }

  bool is_open() const override { return open_; }

 private:
  net::awaitable<ConnectResult> handshake() {
    ConnectResult r;
    auto [rec, results] = co_await resolver_.async_resolve(url_.host, url_.port, use_tuple);
    if ((r.ec = rec)) co_return r;
    auto& socket = beast::get_lowest_layer(*ws_);
    auto [cec, ep] = co_await socket.async_connect(results, use_tuple);
    if ((r.ec = cec)) co_return r;
    socket.socket().set_option(tcp::no_delay(true));

    if constexpr (std::is_same_v<Ws, TlsWs>) {
      auto& stream = ws_->next_layer();
      // SNI, so that a shared front end presents this host's certificate (not for addresses,
      // as RFC 6066 says).
      boost::system::error_code aec;
      net::ip::make_address(url_.host, aec);
      if (aec && !SSL_set_tlsext_host_name(stream.native_handle(), url_.host.c_str())) {
        r.ec = {static_cast<int>(::ERR_get_error()), net::error::get_ssl_category()};
        co_return r;
      }
      stream.set_verify_callback(ssl::host_name_verification(url_.host));
      auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, use_tuple);
      if ((r.ec = hec)) co_return r;
    }

    websocket::stream_base::timeout t{};
    t.handshake_timeout = options_.connect_timeout;
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;
    ws_->set_option(t);
    ws_->set_option(websocket::stream_base::decorator(
        [ua = options_.user_agent](websocket::request_type& req) {
          req.set(http::field::user_agent, ua);
        }));
    ws_->read_message_max(max_read_message);
    ws_->auto_fragment(true);
    ws_->write_buffer_bytes(options_.max_frame_bytes);
    ws_->text(true);

    websocket::response_type res;
    auto [wec] = co_await ws_->async_handshake(res, url_.authority, url_.target, use_tuple);
    if (wec) {
      r.ec = wec;
      // A refused upgrade is an HTTP answer: its status is what the user needs to see.
      if (wec == websocket::error::upgrade_declined) {
        r.http_status = res.result_int();
        r.http_body = res.body();
      }
      co_return r;
    }
    // From now on the close handshake has its own limit, and silence means a dead peer.
    t.handshake_timeout = options_.close_timeout;
    if (options_.idle_timeout.count() > 0) {
      t.idle_timeout = options_.idle_timeout;
      t.keep_alive_pings = true;
    }
    ws_->set_option(t);
    co_return r;
  }

  void write_next() {
    writing_ = true;
    ws_->async_write(net::buffer(queue_.front()),
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->queue_.pop_front();
                       if (ec) {
                         self->queue_.clear();
                         self->writing_ = false;
                         return;  // the read side reports the end
                       }
                       if (!self->queue_.empty()) return self->write_next();
                       self->writing_ = false;
                       if (self->close_code_) self->start_close();
                     });
  }

  void start_close() {
    ws_->async_close(static_cast<websocket::close_code>(*close_code_),
                     [self = this->shared_from_this()](beast::error_code ec) {
                       // No answer in time: cut the TCP connection, the read then ends.
                       if (ec) beast::get_lowest_layer(*self->ws_).close();
                     });
  }

  net::any_io_executor ex_;
  WsUrl url_;
  WsOptions options_;
  std::shared_ptr<ssl::context> tls_;  // before ws_: the stream uses it
  std::optional<Ws> ws_;
  tcp::resolver resolver_;
  net::steady_timer watchdog_;
  bool timed_out_ = false;
  bool open_ = false;
  bool writing_ = false;
  std::optional<unsigned short> close_code_;
  std::optional<Incoming> ended_;
  std::deque<std::string> queue_;
  beast::flat_buffer buffer_;
};

std::shared_ptr<ssl::context> client_tls_context() {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  // The system's CAs; OpenSSL also honours SSL_CERT_FILE and SSL_CERT_DIR here.
  ctx->set_default_verify_paths();
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

}  // namespace

std::string ConnectResult::describe(const WsUrl& url) const {
  if (!ec) return "connected to " + url.text();
  if (!http_status) return "cannot connect to " + url.text() + ": " + ec.message();
  std::string out = "the server refused the connection: HTTP " + std::to_string(http_status);
  // API Gateway answers {"message": "..."}: show the message; anything else, shortened.
  boost::system::error_code jec;
  const auto body = boost::json::parse(http_body, jec);
  const boost::json::value* m = !jec && body.is_object() ? body.get_object().if_contains("message") : nullptr;
  if (m && m->is_string()) return out + ": " + std::string(m->get_string());
  if (!http_body.empty()) out += ": " + http_body.substr(0, 200);
  return out;
}

std::shared_ptr<WsClient> make_ws_client(net::any_io_executor executor, WsUrl url,
                                         WsOptions options) {
  if (url.tls)
    return std::make_shared<BeastWsClient<TlsWs>>(executor, std::move(url), std::move(options),
                                                  client_tls_context());
  return std::make_shared<BeastWsClient<PlainWs>>(executor, std::move(url), std::move(options),
                                                  nullptr);
}

}  // namespace client
