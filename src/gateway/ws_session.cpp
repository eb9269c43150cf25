#include "gateway/ws_session.hpp"

#include <memory>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "apigw/frames.hpp"
#include "apigw/route_key.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "gateway/event_builder.hpp"
#include "gateway/frame_parser.hpp"
#include "gateway/frame_queue.hpp"
#include "gateway/authorizer.hpp"
#include "gateway/await_with_timeout.hpp"
#include "gateway/invoke.hpp"
#include "gateway/origin_policy.hpp"
#include "gateway/ws_upgrade.hpp"

namespace gateway {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using net::use_awaitable;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = net::as_tuple(use_awaitable);
// AWS fragments PostToConnection payloads into frames of at most 32 KB.
constexpr std::size_t max_out_frame = 32768;
// How long a closing handshake may take before the socket is cut.
constexpr std::chrono::seconds close_timeout{5};
// A connection's frames being handled at once (in order, through its lane); a client that sends
// more waits in its socket, as with a server that reads one frame at a time.
constexpr int pipeline_depth = 16;

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
      .count();
}

// One receive buffer per socket thread, shared by all its connections: a connection reads only
// when the socket is readable and parses the bytes at once, so it never holds the buffer across
// a suspension, and an idle connection costs no buffer at all.
std::uint8_t* receive_buffer() {
  thread_local std::array<std::uint8_t, 65536> buffer;
  return buffer.data();
}
constexpr std::size_t receive_buffer_size = 65536;

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

void log_read_failure(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    core::log::error("read loop ended by an exception", {{"error", x.what()}});
  }
}

// The stream the upgrade request was read from.
template <class Socket>
using HttpStream = std::conditional_t<std::is_same_v<Socket, TlsSocket>, TlsStream, beast::tcp_stream>;

// Socket is tcp::socket (plain) or TlsSocket; the plain path is the same code as before TLS.
template <class Socket>
class WsSession final : public Session,
                        public Deliverable,
                        public std::enable_shared_from_this<WsSession<Socket>> {
 public:
  static constexpr bool tls = std::is_same_v<Socket, TlsSocket>;

  WsSession(Context& ctx, LoopInbox& inbox, const net::any_io_executor& ex, ConnectionMeta meta)
      : ctx_(ctx), inbox_(inbox), socket_(ex), meta_(std::move(meta)),
        parser_({ctx.config.max_frame_bytes, ctx.config.max_message_bytes}),
        started_(Clock::now()),
        rate_({ctx.config.rate_limit, ctx.config.rate_burst}, started_) {
    last_active_wall_ = meta_.connected_at;
    last_active_steady_ = steady_ms();
  }

  ~WsSession() override { release_ip(); }

  const std::string& id() const override { return meta_.connection_id; }

  core::result<void> send(apigw::SharedFrame frame, Outbox& out) override {
    if (!open_.load()) return core::errc::gone;
    const std::size_t n = frame->size();
    if (queued_bytes_.fetch_add(n) + n > ctx_.config.max_send_queue_bytes) {
      queued_bytes_.fetch_sub(n);
      // The first refusal starts the slow-client clock (enforce_limits).
      std::int64_t none = 0;
      full_since_ms_.compare_exchange_strong(none, steady_ms());
      return core::errc::limit_exceeded;
    }
    out.add(inbox_, this->shared_from_this(), std::move(frame));
    return {};
  }
  // A frame of the session's own (a two-way route's answer, a gateway error): a post of one.
  core::result<void> send(apigw::SharedFrame frame) {
    Outbox out({});
    return send(std::move(frame), out);
  }

  Owed deliver(apigw::SharedFrame frame, bool may_linger) override {
    push(std::move(frame), ws::Opcode::text);
    if (flush_owed_) return Owed::nothing;
    if (!may_linger) {
      flush_owed_ = true;
      return Owed::flush;
    }
    return std::exchange(lingering_flush_owed_, true) ? Owed::nothing : Owed::lingering_flush;
  }
  void flush() override {
    flush_owed_ = lingering_flush_owed_ = false;
    write_pending();
  }

  void close(unsigned short code, std::string reason) override {
    net::post(socket_.get_executor(),
              [self = this->shared_from_this(), code, r = std::move(reason)]() mutable {
                self->start_close(code, std::move(r));
              });
  }

  // Idle timeout and maximum duration, as AWS enforces them; and the closing handshake's own
  // deadline. Called by the server's sweep.
  void enforce_limits(Clock::time_point now) override {
    if (closing_since_ms_.load() != 0) {
      if (steady_ms() - closing_since_ms_.load() > close_timeout.count() * 1000)
        net::post(socket_.get_executor(), [self = this->shared_from_this()] { self->cut(); });
      return;
    }
    if (!open_.load()) return;
    // A client that stopped reading: its queue has stayed full for send_queue_timeout.
    const std::int64_t full_since = full_since_ms_.load();
    if (full_since != 0 && ctx_.config.send_queue_timeout.count() > 0 &&
        steady_ms() - full_since >= ctx_.config.send_queue_timeout.count() * 1000) {
      net::post(socket_.get_executor(), [self = this->shared_from_this()] { self->close_slow_client(); });
      return;
    }
    // A frame still being handled is not idleness: its handler may be slow (a store stall),
    // and the client's next frames wait in the socket until it is done.
    if (in_flight_.load() && now - started_ < ctx_.config.max_duration) return;
    const auto last = Clock::time_point(std::chrono::milliseconds(last_active_steady_.load()));
    if (now - last >= ctx_.config.idle_timeout || now - started_ >= ctx_.config.max_duration)
      close(ws::close_code::going_away, "Going away");
  }

  apigw::ConnectionInfo info() const override {
    return {meta_.connected_at, last_active_wall_.load(), meta_.source_ip, meta_.user_agent};
  }

  net::awaitable<void> run(HttpStream<Socket> stream, http::request<http::string_body> req,
                           Handshake hs);

 private:
  net::awaitable<bool> admit(HttpStream<Socket>& stream,
                             const http::request<http::string_body>& req, const Handshake& hs);
  net::awaitable<bool> run_connect(HttpStream<Socket>& stream,
                                   const http::request<http::string_body>& req,
                                   Handshake& hs, std::string& subprotocol);
  net::awaitable<void> refuse(HttpStream<Socket>& stream, const http::request<http::string_body>& req,
                              unsigned status, std::string_view message);
  net::awaitable<void> read_loop(std::shared_ptr<WsSession> self);
  // Plain sockets: an idle connection waits with a callback (one reactor operation), not a
  // coroutine (its frames, ~2 KiB); a coroutine runs only while frames are being handled.
  void wait_readable();
  void on_readable(boost::system::error_code ec);
  // Appends the events of the `n` bytes read; a protocol error ends the parsing for good.
  void parse_read(const std::uint8_t* buffer, std::size_t n,
                  std::vector<ws::FrameParser::Event>& events);
  net::awaitable<void> handle_events(std::shared_ptr<WsSession> self,
                                     std::vector<ws::FrameParser::Event> events);
  void end_reading();
  net::awaitable<void> on_event(ws::FrameParser::Event& ev);
  net::awaitable<void> dispatch_frame(std::string body);
  net::awaitable<void> pipelined(std::shared_ptr<WsSession> self, std::string body);
  net::awaitable<void> handle_frame(std::string body, Integration::Lane* lane);
  // Takes a token from the connection's bucket, then from its source IP's.
  bool throttle_ok() {
    const auto now = Clock::now();
    return rate_.take(now) && ctx_.ip_rates.take(meta_.source_ip, now);
  }
  void enqueue(apigw::SharedFrame f, ws::Opcode op);
  bool push(apigw::SharedFrame f, ws::Opcode op);
  void write_pending();
  // Bookkeeping once `entries` of the queue are written; false when nothing more may follow.
  bool written(std::size_t entries);
  void close_slow_client();
  void release_ip();
  void start_close(std::uint16_t code, std::string reason);
  void cut();
  void finish(int code, std::string reason);
  void send_gateway_error(std::string_view message, const std::string& request_id);
  void observe(std::string_view route_key, const InvokeResult& r, Clock::time_point started);

  Context& ctx_;
  LoopInbox& inbox_;
  Socket socket_;
  ConnectionMeta meta_;
  ws::FrameParser parser_;
  const Clock::time_point started_;
  std::atomic<bool> open_{false};
  std::atomic<std::size_t> queued_bytes_{0};
  std::atomic<std::int64_t> last_active_wall_{0};
  std::atomic<std::int64_t> last_active_steady_{0};
  std::atomic<std::int64_t> closing_since_ms_{0};
  std::atomic<int> in_flight_{0};  // frames given to the integration and not answered yet
  std::atomic<std::int64_t> full_since_ms_{0};  // steady ms of the first refused send; 0: not full
  bool ip_counted_ = false;  // counted in ctx_.ip_connections
  TokenBucket rate_;         // --rate-limit; loop-only
  // Loop-only state.
  FrameQueue queue_;
  std::vector<net::const_buffer> write_buffers_;
  std::size_t writing_ = 0;          // entries in the write under way; 0 = none
  bool close_queued_ = false;        // no data frame may follow our close frame
  bool peer_closed_ = false;         // the peer's close frame has been received
  bool hard_failure_ = false;        // framing broken: nothing more can be read
  bool flush_owed_ = false;          // delivered frames wait for the inbox's flush()
  bool lingering_flush_owed_ = false;  // ... for its flush after LoopInbox::linger
  std::optional<std::pair<int, std::string>> end_;  // the $disconnect code and reason
  // While frames are in flight: the lane that keeps them (and then $disconnect) in order.
  std::shared_ptr<Integration::Lane> lane_;
  std::unique_ptr<net::steady_timer> slot_freed_;  // reading waits on it when the pipeline is full
};

template <class Socket>
net::awaitable<void> WsSession<Socket>::refuse(HttpStream<Socket>& stream,
                                       const http::request<http::string_body>& req,
                                       unsigned status, std::string_view message) {
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
net::awaitable<bool> WsSession<Socket>::admit(HttpStream<Socket>& stream,
                                              const http::request<http::string_body>& req,
                                              const Handshake& hs) {
  if (!origin_allowed(ctx_.config.allowed_origins, req[http::field::origin])) {
    ctx_.metrics.connects_refused.inc();
    core::log::info("handshake refused", {{"connectionId", meta_.connection_id},
                                          {"sourceIp", meta_.source_ip},
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
    const auto event = connect_event(meta_, hs, core::now_ms());
    d = co_await await_with_timeout<AuthDecision>(
        [&](std::function<void(AuthDecision)> done) { authorizer.authorize_async(hs, event, std::move(done)); },
        ctx_.config.integration_timeout, std::move(timed_out));
  } else {
    d = authorizer.authorize(hs);
  }
  if (d.outcome == AuthDecision::Outcome::allow) {
    const auto latency =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    meta_.authorizer = authorizer_context(d, latency);
    co_return true;
  }
  const bool unauthorized = d.outcome == AuthDecision::Outcome::unauthorized;
  const bool failed = d.outcome == AuthDecision::Outcome::error;
  const unsigned status = unauthorized ? 401 : failed ? 500 : 403;
  ctx_.metrics.connects_refused.inc();
  (failed ? core::log::error : core::log::info)(
      "handshake refused", {{"connectionId", meta_.connection_id},
                            {"sourceIp", meta_.source_ip},
                            {"status", status},
                            {"reason", d.reason}});
  co_await refuse(stream, req, status,
                  unauthorized ? "Unauthorized" : failed ? apigw::frames::internal_error : "Forbidden");
  co_return false;
}

// The upgrade is held until $connect answers; a non-2xx answer refuses it with that status.
template <class Socket>
net::awaitable<bool> WsSession<Socket>::run_connect(HttpStream<Socket>& stream,
                                            const http::request<http::string_body>& req,
                                            Handshake& hs, std::string& subprotocol) {
  if (!ctx_.selector.has(apigw::route_key::connect)) co_return true;
  // The handshake's strings move into the event: nothing reads them after $connect.
  auto event = connect_event(meta_, std::move(hs), core::now_ms());
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

template <class Socket>
net::awaitable<void> WsSession<Socket>::run(HttpStream<Socket> stream,
                                    http::request<http::string_body> req, Handshake hs) {
  // A malformed handshake invokes nothing.
  if (const auto refusal = ws_upgrade::check(req)) {
    ctx_.metrics.connects_refused.inc();
    core::log::info("handshake refused", {{"connectionId", meta_.connection_id},
                                          {"sourceIp", meta_.source_ip},
                                          {"status", refusal->status},
                                          {"reason", refusal->message}});
    co_await refuse(stream, req, refusal->status, refusal->message);
    co_return;
  }
  // --max-connections-per-ip: refused before $connect runs, as a throttled handshake on AWS.
  if (!ctx_.ip_connections.admit(meta_.source_ip)) {
    ctx_.metrics.connects_over_ip_limit.inc();
    core::log::info("handshake refused: too many connections from this address",
                    {{"sourceIp", meta_.source_ip},
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

  // The 101, written by us: one send on a plain socket (the socket's buffer is empty and takes
  // it whole), no websocket::stream built and thrown away. It echoes only a subprotocol the
  // $connect handler chose: browsers fail a connection whose requested protocol is not echoed,
  // exactly as on AWS.
  {
    const std::string answer =
        ws_upgrade::switching_protocols(req[http::field::sec_websocket_key], subprotocol);
    boost::system::error_code ec;
    if constexpr (tls) {
      beast::get_lowest_layer(stream).expires_after(ctx_.config.handshake_timeout);
      std::tie(ec, std::ignore) = co_await net::async_write(stream, net::buffer(answer), use_tuple);
      beast::get_lowest_layer(stream).expires_never();
      if (!ec) socket_.attach(std::move(stream));
    } else {
      socket_ = beast::get_lowest_layer(stream).release_socket();
      socket_.non_blocking(true, ec);
      std::size_t sent = ec ? 0 : socket_.write_some(net::buffer(answer), ec);
      if (ec == net::error::would_block || ec == net::error::try_again) ec = {};
      if (!ec && sent < answer.size())
        std::tie(ec, std::ignore) =
            co_await net::async_write(socket_, net::buffer(answer.data() + sent, answer.size() - sent),
                                      use_tuple);
    }
    if (ec) {
      core::log::warn("handshake failed", {{"connectionId", meta_.connection_id},
                                           {"error", ec.message()}});
      finish(ws::close_code::abnormal, "Handshake failed");
      co_return;
    }
  }
  // The request and its headers are done with; the connection may live for hours.
  req = {};
  hs = Handshake{};
  open_.store(true);
  ctx_.registry.add(this->shared_from_this());
  ctx_.metrics.connects.inc();
  core::log::debug("connected", {{"connectionId", meta_.connection_id},
                                 {"sourceIp", meta_.source_ip}});
  // The frames of the handshake (this coroutine's, serve_websocket's and the HTTP session's, a
  // few KiB with the parser and the request) end here.
  if constexpr (tls) {
    net::co_spawn(socket_.get_executor(), read_loop(this->shared_from_this()), log_read_failure);
  } else {
    wait_readable();
  }
}

template <class Socket>
void WsSession<Socket>::wait_readable() {
  socket_.async_wait(tcp::socket::wait_read,
                     [self = this->shared_from_this()](boost::system::error_code ec) {
                       self->on_readable(ec);
                     });
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
  net::co_spawn(socket_.get_executor(),
                handle_events(this->shared_from_this(), std::move(events)), log_read_failure);
}

template <class Socket>
net::awaitable<void> WsSession<Socket>::handle_events([[maybe_unused]] std::shared_ptr<WsSession> self,
                                                      std::vector<ws::FrameParser::Event> events) {
  for (auto& ev : events) {
    co_await on_event(ev);
    if (!socket_.is_open()) break;
  }
  if (socket_.is_open())
    wait_readable();
  else
    end_reading();
}

template <class Socket>
void WsSession<Socket>::end_reading() {
  const auto [code, reason] = end_.value_or(std::pair<int, std::string>{
      ws::close_code::abnormal, "Connection lost"});
  cut();
  finish(code, reason);
}

template <class Socket>
net::awaitable<void> WsSession<Socket>::read_loop([[maybe_unused]] std::shared_ptr<WsSession> self) {
  std::vector<ws::FrameParser::Event> events;
  while (socket_.is_open()) {
    std::uint8_t* buffer = nullptr;
    std::size_t n = 0;
    if constexpr (tls) {
      // The TLS stream reads asynchronously into the buffer, so the buffer is the session's own.
      buffer = socket_.read_buffer();
      auto [ec, got] = co_await socket_.stream().async_read_some(
          net::buffer(buffer, TlsSocket::read_size), use_tuple);
      if (ec) break;  // end of stream, reset or a TLS error
      n = got;
    } else {
      auto [wec] = co_await socket_.async_wait(tcp::socket::wait_read, use_tuple);
      if (wec) break;
      boost::system::error_code ec;
      buffer = receive_buffer();
      n = socket_.read_some(net::buffer(buffer, receive_buffer_size), ec);
      if (ec == net::error::would_block || ec == net::error::try_again) continue;
      if (ec) break;  // end of stream or reset
    }
    // Parse the whole read before any await: the buffer is shared with other connections.
    events.clear();
    parse_read(buffer, n, events);
    for (auto& ev : events) {
      co_await on_event(ev);
      if (!socket_.is_open()) break;
    }
  }
  const auto [code, reason] = end_.value_or(std::pair<int, std::string>{
      ws::close_code::abnormal, "Connection lost"});
  cut();
  finish(code, reason);
}

template <class Socket>
net::awaitable<void> WsSession<Socket>::on_event(ws::FrameParser::Event& ev) {
  using Kind = ws::FrameParser::Kind;
  switch (ev.kind) {
    case Kind::text:
      if (close_queued_) co_return;  // closing: frames still in flight are not routed
      last_active_wall_.store(core::now_ms());
      last_active_steady_.store(steady_ms());
      ctx_.metrics.frames_in.inc();
      if (!throttle_ok()) {
        ctx_.metrics.frames_throttled.inc();
        send_gateway_error(apigw::frames::too_many_requests, core::new_connection_id());
        co_return;
      }
      co_await dispatch_frame(std::move(ev.payload));
      co_return;
    case Kind::ping:
      if (!close_queued_) enqueue(apigw::make_frame(std::move(ev.payload)), ws::Opcode::pong);
      co_return;
    case Kind::pong:
      co_return;
    case Kind::close:
      peer_closed_ = true;
      if (close_queued_) {
        cut();  // the answer to our close: the handshake is complete
      } else {
        // The peer closes: echo its code (none for 1005) and report it to $disconnect.
        end_ = {ev.code, ev.code == ws::close_code::no_status
                             ? std::string("Client-side close frame status not set")
                             : ev.payload};
        close_queued_ = true;
        closing_since_ms_.store(steady_ms());
        open_.store(false);
        enqueue(apigw::make_frame(ws::close_payload(ev.code, ev.payload)), ws::Opcode::close);
      }
      co_return;
    case Kind::error:
      start_close(ev.code, ev.payload);
      co_return;
    case Kind::none:
      co_return;
  }
}

template <class Socket>
net::awaitable<void> WsSession<Socket>::dispatch_frame(std::string body) {
  // A client's messages reach the handlers in the order it sent them. Through an ordered lane
  // the next ones go while the previous are still being handled (up to pipeline_depth, then
  // reading waits); without one (Lambda processes), one at a time.
  if (!lane_) lane_ = ctx_.integration.open_lane();
  if (!lane_) {
    in_flight_.store(1);
    co_await handle_frame(std::move(body), nullptr);
    last_active_steady_.store(steady_ms());
    in_flight_.store(0);
    co_return;
  }
  while (in_flight_.load() >= pipeline_depth) {
    if (!slot_freed_) slot_freed_ = std::make_unique<net::steady_timer>(socket_.get_executor());
    slot_freed_->expires_at(net::steady_timer::time_point::max());
    co_await slot_freed_->async_wait(use_tuple);
  }
  if (!lane_) lane_ = ctx_.integration.open_lane();  // released while waiting for a slot
  in_flight_.fetch_add(1);
  net::co_spawn(socket_.get_executor(), pipelined(this->shared_from_this(), std::move(body)),
                log_read_failure);
}

template <class Socket>
net::awaitable<void> WsSession<Socket>::pipelined([[maybe_unused]] std::shared_ptr<WsSession> self,
                                                  std::string body) {
  const auto lane = lane_;
  co_await handle_frame(std::move(body), lane.get());
  last_active_steady_.store(steady_ms());
  // An idle connection holds no lane (a strand on the handler pool); nothing is left in it.
  if (in_flight_.fetch_sub(1) == 1 && lane_ == lane) lane_.reset();
  if (slot_freed_) slot_freed_->cancel();
}

template <class Socket>
net::awaitable<void> WsSession<Socket>::handle_frame(std::string body, Integration::Lane* lane) {
  auto route = ctx_.selector.select(body);
  if (!route) {
    send_gateway_error(apigw::frames::forbidden, core::new_connection_id());
    co_return;
  }
  auto event = message_event(meta_, *route, std::move(body), core::now_ms());
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
                                            ctx_.config.integration_timeout, timed_out, lane);
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

// Queues a frame without writing; false when the connection no longer takes frames.
template <class Socket>
bool WsSession<Socket>::push(apigw::SharedFrame f, ws::Opcode op) {
  if ((close_queued_ && op != ws::Opcode::close) || !socket_.is_open()) {
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
// Plain sockets are non-blocking: the write is tried at once, and only what the kernel did not
// take waits for an asynchronous write (no operation, allocation or completion per socket
// otherwise). A TLS stream gathers the frames into one buffer for one SSL write.
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
      writing_ = entries;
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
      writing_ = entries;
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

// The slow-client policy (docs/protocol.md): the frames not yet being written are dropped, so
// the close frame follows the write under way (it reaches a client that reads again), and the
// closing handshake's deadline cuts a client that never does. $disconnect gets 1008.
template <class Socket>
void WsSession<Socket>::close_slow_client() {
  if (close_queued_ || !socket_.is_open() || full_since_ms_.load() == 0) return;
  const std::size_t dropped = queue_.truncate(writing_);
  queued_bytes_.fetch_sub(dropped);
  full_since_ms_.store(0);
  ctx_.metrics.slow_client_closes.inc();
  core::log::warn("closing a client that stopped reading",
                  {{"connectionId", meta_.connection_id}, {"sourceIp", meta_.source_ip},
                   {"droppedBytes", dropped},
                   {"sendQueueTimeoutS", ctx_.config.send_queue_timeout.count()}});
  start_close(ws::close_code::policy_violation, "Slow client: send queue full");
}

template <class Socket>
void WsSession<Socket>::release_ip() {
  if (!ip_counted_) return;
  ip_counted_ = false;
  ctx_.ip_connections.release(meta_.source_ip);
}

template <class Socket>
void WsSession<Socket>::start_close(std::uint16_t code, std::string reason) {
  if (close_queued_ || !socket_.is_open()) return;
  end_ = {code, reason};
  close_queued_ = true;
  open_.store(false);
  closing_since_ms_.store(steady_ms());
  enqueue(apigw::make_frame(ws::close_payload(code, reason)), ws::Opcode::close);
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
void WsSession<Socket>::finish(int code, std::string reason) {
  open_.store(false);
  release_ip();
  closing_since_ms_.store(0);
  ctx_.metrics.disconnects.inc();
  ctx_.registry.remove(meta_.connection_id);
  core::log::debug("disconnected", {{"connectionId", meta_.connection_id},
                                    {"disconnectStatusCode", code},
                                    {"disconnectReason", reason}});
  if (!ctx_.selector.has(apigw::route_key::disconnect)) return;
  // Best effort, as on AWS: the result is only logged. After the frames still in flight.
  auto event = disconnect_event(meta_, code, std::move(reason), core::now_ms());
  auto done = [id = meta_.connection_id](InvokeResult r) {
    if (r.status != InvokeResult::Status::ok)
      core::log::error("$disconnect integration failed",
                       {{"connectionId", id}, {"error", r.error_message}});
  };
  if (lane_)
    ctx_.integration.invoke_in(*lane_, std::move(event), [] {}, std::move(done));
  else
    ctx_.integration.invoke(std::move(event), std::move(done));
}

}  // namespace

namespace {

template <class Socket>
net::awaitable<void> serve_on(Context& ctx, LoopInbox& inbox, HttpStream<Socket> stream,
                              http::request<http::string_body> request) {
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
  meta.source_ip = remote.address().to_string();
  if (auto ua = request.find(http::field::user_agent); ua != request.end())
    meta.user_agent = std::string(ua->value());
  meta.domain_name = ctx.config.domain_name.empty() ? std::string(request[http::field::host])
                                                    : ctx.config.domain_name;
  meta.stage = ctx.config.stage;
  meta.api_id = ctx.config.api_id;

  auto session = std::make_shared<WsSession<Socket>>(ctx, inbox, stream.get_executor(),
                                                     std::move(meta));
  co_await session->run(std::move(stream), std::move(request), std::move(hs));
}

}  // namespace

net::awaitable<void> serve_websocket(Context& ctx, LoopInbox& inbox, beast::tcp_stream stream,
                                     http::request<http::string_body> request) {
  return serve_on<tcp::socket>(ctx, inbox, std::move(stream), std::move(request));
}

net::awaitable<void> serve_websocket(Context& ctx, LoopInbox& inbox, TlsStream stream,
                                     http::request<http::string_body> request) {
  return serve_on<TlsSocket>(ctx, inbox, std::move(stream), std::move(request));
}

}  // namespace gateway
