#pragma once
// One WebSocket client over a raw TCP socket: HTTP upgrade, masked frames out, FrameParser in.
// Beast's websocket stream is avoided on purpose: per frame it costs more than a fast server
// spends, and the generator must not be the bottleneck.
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "bench/frame_parser.hpp"
#include "bench/run_context.hpp"
#include "bench/worker.hpp"

namespace bench {

class ClientConnection final : public FrameSink {
 public:
  static constexpr std::uint32_t not_a_sender = UINT32_MAX;

  // `source_ip` (host order) binds the local address, to spread connections over 127.0.0.0/8.
  ClientConnection(Worker& worker, RunContext& ctx, std::size_t index,
                   std::optional<std::uint32_t> source_ip, std::uint32_t sender);

  // Connects and upgrades; `done(ok)` runs on the worker's thread once the handshake ends.
  void start(std::function<void(bool)> done);
  // Writes bench message `seq` (taken from the tracker by the caller). Worker thread only.
  void send_message(std::uint64_t seq);
  // Sender in throughput and rooms mode: takes a sequence number and writes it (to its room,
  // expecting its room's members). Worker thread only.
  void send_next();
  // Rooms' fast phase, run now and then on the worker: tops the window up to `window` after
  // refusals. Never past it: a message that is only late (an overloaded server) still holds its
  // place, or the generator would pile more onto the queue it measures; a lost one holds it for
  // good (the connection sends less, and the loss shows as missing deliveries).
  void refill(std::size_t window);
  // Throughput mode: starts a fresh window of `window` messages, the ones out counted as lost.
  void restart_window(std::size_t window);
  // Closes the socket at once. Worker thread only.
  void close();

  Worker& worker() { return worker_; }
  bool is_open() const { return open_; }
  // Time of the last own message received back (stall detection in throughput mode).
  std::int64_t last_echo_ns() const { return last_echo_ns_.load(std::memory_order_relaxed); }

  void on_message(Opcode opcode, std::string_view head, std::uint64_t size) override;
  void on_control(Opcode opcode, std::string_view payload) override;

 private:
  void handshake();
  void read_handshake(std::size_t have);
  void finish(bool ok);
  void read_frames();
  void send_frame(Opcode opcode, std::string_view payload);
  void flush();
  std::string request() const;
  std::string room() const;
  // Parley's answers that are no delivery: a rate-limit refusal or an error.
  void on_answer(std::string_view head);

  Worker& worker_;
  RunContext& ctx_;
  std::size_t index_;
  std::optional<std::uint32_t> source_ip_;
  std::uint32_t sender_;
  boost::asio::ip::tcp::socket socket_;
  FrameParser parser_;
  ws::MaskKey mask_{};
  std::function<void(bool)> done_;
  bool open_ = false;
  bool got_first_ = false;
  std::uint32_t room_size_ = 0;   // expected deliveries of each own message
  std::size_t in_flight_ = 0;     // own messages sent and not yet back (or refused)
  std::int64_t read_at_ns_ = 0;  // one clock read per socket read, shared by its frames
  std::atomic<std::int64_t> last_echo_ns_{0};
  // Frames queued while a write is in flight go out together in the next write.
  std::string pending_;
  std::string writing_;
  bool write_in_flight_ = false;
  std::array<char, 8192> buffer_;
};

}  // namespace bench
