#pragma once
// The WebSocket session behind serve_websocket (ws_session.hpp), one class whose members live
// in one file per concern, around its Phase (session_phase.hpp):
//   ws_handshake.cpp  admission, $connect, the 101                handshaking -> open | closed
//   ws_reader.cpp     bytes -> frames -> routes, pipelined through the connection's lane
//   ws_writer.cpp     send/deliver/flush, the FrameQueue, corked gathered writes
//   ws_close.cpp      the closing handshake, its codes, the one end of reading, the sweep
//   ws_buffers.cpp    what an idle connection gives back at the sweep (issue 18)
// Socket is PlainSocket or TlsSocket; each file instantiates its members for both.
// Everything not marked otherwise is touched only on the connection's socket loop.
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "gateway/context.hpp"
#include "gateway/event_builder.hpp"
#include "gateway/frame_parser.hpp"
#include "gateway/frame_queue.hpp"
#include "gateway/loop_sweep.hpp"
#include "gateway/plain_socket.hpp"
#include "gateway/session_phase.hpp"
#include "gateway/tls_socket.hpp"

namespace gateway {

namespace ws_session {
namespace net = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;
using Request = http::request<http::string_body>;
inline constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
// AWS fragments PostToConnection payloads into frames of at most 32 KB.
inline constexpr std::size_t max_out_frame = 32768;
// How long a closing handshake may take before the socket is cut.
inline constexpr std::chrono::seconds close_timeout{5};
// A connection's frames being handled at once (in order, through its lane); a client that sends
// more waits in its socket, as with a server that reads one frame at a time.
inline constexpr int pipeline_depth = 16;

inline std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
      .count();
}
void log_coroutine_failure(std::exception_ptr e);

// The stream the upgrade request was read from.
template <class Socket>
using HttpStream =
    std::conditional_t<std::is_same_v<Socket, TlsSocket>, TlsStream, boost::beast::tcp_stream>;
}  // namespace ws_session

template <class Socket>
class WsSession final : public Session,
                        public Deliverable,
                        public Sweepable,
                        public std::enable_shared_from_this<WsSession<Socket>> {
 public:
  static constexpr bool tls = std::is_same_v<Socket, TlsSocket>;
  using Clock = ws_session::Clock;
  using Stream = ws_session::HttpStream<Socket>;
  using Request = ws_session::Request;

  WsSession(Context& ctx, LoopInbox& inbox, LoopSweep& sweep,
            const boost::asio::any_io_executor& ex, ConnectionMeta meta);
  ~WsSession() override { release_ip(); }

  // Session (any thread)
  const std::string& id() const override { return meta_.connection_id; }
  core::result<void> send(apigw::SharedFrame frame, Outbox& out) override;  // writer
  core::result<void> send(apigw::SharedFrame frame);  // writer: a frame of its own, a post of one
  void close(unsigned short code, std::string reason) override;          // close
  apigw::ConnectionInfo info() const override {
    return {meta_.connected_at, last_active_wall_.load(), std::string(meta_.peer.source_ip()),
            meta_.peer.user_agent_string()};
  }
  SessionStats stats() const override {  // the inspector's Connections table
    return {frames_in_.load(std::memory_order_relaxed), frames_out_.load(std::memory_order_relaxed),
            queued_bytes_.load(std::memory_order_relaxed),
            meta_.authorizer ? std::optional(meta_.authorizer.object()) : std::nullopt};
  }
  // Deliverable (the loop's inbox): writer
  Owed deliver(apigw::SharedFrame frame, bool may_linger) override;
  void flush() override;
  // Sweepable (the loop's sweep): close
  void sweep(Clock::time_point now) override;

  Phase phase() const { return phase_.now(); }
  // Loop only: heap bytes the session's own buffers hold beyond its object (queue vectors,
  // iovecs, partial frames, the TLS write buffer). 0 once an idle connection was swept.
  std::size_t held_bytes() const;
  // Handshake: admission, $connect and the 101; then reading starts.
  boost::asio::awaitable<void> run(Stream stream, Request req, Handshake hs);

 private:
  // ws_handshake.cpp
  boost::asio::awaitable<bool> admit(Stream& stream, const Request& req, const Handshake& hs);
  boost::asio::awaitable<bool> run_connect(Stream& stream, const Request& req, Handshake& hs,
                                           std::string& subprotocol);
  boost::asio::awaitable<void> refuse(Stream& stream, const Request& req, unsigned status,
                                      std::string_view message);
  boost::asio::awaitable<bool> switch_protocols(Stream& stream, const Request& req,
                                                const std::string& subprotocol);
  void opened();

  // ws_reader.cpp. Plain sockets: an idle connection waits with a callback (one reactor
  // operation), not a coroutine (its frames, ~2 KiB); a coroutine runs only while frames are
  // being handled. TLS reads asynchronously into the session's own buffer, in read_loop.
  void start_reading();
  void wait_readable();
  void on_readable(boost::system::error_code ec);
  boost::asio::awaitable<void> read_loop(std::shared_ptr<WsSession> self);
  // Appends the events of the `n` bytes read; a protocol error ends the parsing for good.
  void parse_read(const std::uint8_t* buffer, std::size_t n,
                  std::vector<ws::FrameParser::Event>& events);
  boost::asio::awaitable<void> handle_events(std::shared_ptr<WsSession> self,
                                             std::vector<ws::FrameParser::Event> events);
  boost::asio::awaitable<void> on_event(ws::FrameParser::Event& ev);
  boost::asio::awaitable<void> dispatch_frame(std::string body);
  boost::asio::awaitable<void> pipelined(std::shared_ptr<WsSession> self, std::string body);
  boost::asio::awaitable<void> handle_frame(std::string body, Integration::Lane* lane);
  void frame_done();
  bool throttle_ok();  // a token from the connection's bucket, then from its source IP's
  void send_gateway_error(std::string_view message, const std::string& request_id);
  void observe(std::string_view route_key, const InvokeResult& r, Clock::time_point started);

  // ws_writer.cpp
  void enqueue(apigw::SharedFrame f, ws::Opcode op);
  bool push(apigw::SharedFrame f, ws::Opcode op);
  void write_pending();
  // Bookkeeping once `entries` of the queue are written; false when nothing more may follow.
  bool written(std::size_t entries);

  // ws_buffers.cpp: at the sweep, when nothing is queued or being written.
  void release_buffers();

  // ws_close.cpp
  void start_close(std::uint16_t code, std::string reason);
  void echo_close(std::uint16_t code, std::string reason);
  void close_slow_client();
  void cut();
  // The one end of reading (both read paths): the socket goes, $disconnect follows.
  void end_reading();
  void finish(int code, std::string reason);
  void release_ip();

  // Member order keeps the object at 496 bytes, 512 with its shared_ptr block: jemalloc's size
  // class below 640 (issue 18; the static_assert after the class). The peer's strings are one
  // block (PeerText), the rate limit and the stage are the configuration's, not copies. The loop-only flags of
  // every concern sit beside the phase, the close state is allocated at the close.
  Context& ctx_;
  LoopInbox& inbox_;
  LoopSweep& sweep_;
  Socket socket_;
  ConnectionMeta meta_;
  ws::FrameParser parser_;
  const Clock::time_point started_;
  PhaseMachine phase_;  // written on the loop, read by send() on any thread
  // Loop-only flags. Reader:
  bool peer_closed_ = false;   // the peer's close frame has been received
  bool hard_failure_ = false;  // framing broken: nothing more can be read
  // Writer:
  bool flush_owed_ = false;            // delivered frames wait for the inbox's flush()
  bool lingering_flush_owed_ = false;  // ... for its flush after LoopInbox::linger
  // Close:
  bool ip_counted_ = false;  // counted in ctx_.ip_connections
  bool swept_ = false;       // in sweep_
  int in_flight_ = 0;        // reader: frames given to the integration and not answered yet
  std::uint32_t writing_ = 0;  // writer: entries in the write under way; 0 = none

  // Touched by other threads (send() from handlers, info() from the management API).
  std::atomic<std::size_t> queued_bytes_{0};
  std::atomic<std::uint64_t> frames_in_{0}, frames_out_{0};  // for stats(), read by the inspector
  std::atomic<std::int64_t> full_since_ms_{0};  // steady ms of the first refused send; 0: not full
  std::atomic<std::int64_t> last_active_wall_{0};

  // Reader (loop-only)
  TokenBucket rate_;                 // --rate-limit (the limit is the configuration's)
  std::int64_t last_active_steady_;  // steady ms of the last frame read or answered
  // While frames are in flight: the lane that keeps them (and then $disconnect) in order.
  std::shared_ptr<Integration::Lane> lane_;
  std::unique_ptr<boost::asio::steady_timer> slot_freed_;  // reading waits on it: pipeline full

  // Writer (loop-only)
  FrameQueue queue_;
  std::vector<boost::asio::const_buffer> write_buffers_;

  // Close (loop-only), from the phase closing on: when it began, the $disconnect code and reason.
  struct Ending {
    std::int64_t since_ms;
    int code;
    std::string reason;
  };
  std::unique_ptr<Ending> ending_;
};

// An idle connection's object (issue 18, docs/performance-notes.md): with make_shared's block it
// fits jemalloc's 512-byte class. A member added here costs 128 bytes per connection.
static_assert(sizeof(WsSession<PlainSocket>) + 16 <= 512,
              "WsSession grew past a jemalloc size class (see the comment above)");

}  // namespace gateway
