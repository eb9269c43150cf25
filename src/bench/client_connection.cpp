#include "bench/client_connection.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <random>

#include "bench/room_plan.hpp"
#include "core/base64.hpp"

namespace bench {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// JSON string escaping for the few characters a room name or marker could hold.
void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

// A distinct Sec-WebSocket-Key per connection (RFC 6455 §4.1: 16 random bytes, base64): some
// servers (serverless-offline) use the key to tell concurrent handshakes apart.
std::string websocket_key(std::size_t index) {
  std::mt19937_64 rng(index * 0x9E3779B97F4A7C15ull + 0x5bd1e995);
  char bytes[16];
  for (auto& b : bytes) b = static_cast<char>(rng());
  return core::base64_encode(std::string_view(bytes, sizeof bytes));
}

}  // namespace

ClientConnection::ClientConnection(Worker& worker, RunContext& ctx, std::size_t index,
                                   std::optional<std::uint32_t> source_ip, std::uint32_t sender)
    : worker_(worker),
      ctx_(ctx),
      index_(index),
      source_ip_(source_ip),
      sender_(sender),
      socket_(worker.io()),
      parser_(*this) {
  // Masking keys need not be secret here; they only have to vary (RFC 6455 §5.3).
  std::minstd_rand rng(static_cast<unsigned>(index * 2654435761u + 1));
  for (auto& b : mask_) b = static_cast<std::uint8_t>(rng());
  const Config& c = ctx_.config;
  room_size_ = static_cast<std::uint32_t>(room_size(room_of(index_, c.rooms), c.connections, c.rooms));
}

std::string ClientConnection::room() const {
  const Config& c = ctx_.config;
  return c.rooms > 1 ? c.room + "-" + std::to_string(room_of(index_, c.rooms)) : c.room;
}

std::string ClientConnection::request() const {
  const Config& c = ctx_.config;
  const Target to = c.target(index_);
  std::string target = to.path;
  if (c.protocol == PeerProtocol::parley)
    target += "?name=b" + std::to_string(index_) + "&room=" + room();
  else if (c.rooms > 1)
    target += "?room=" + room();  // the raw peers' pub/sub topic
  // The Accept answer is not checked: the bench trusts the server it measures.
  return "GET " + target + " HTTP/1.1\r\nHost: " + to.host + ":" + std::to_string(to.port) +
         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " +
         websocket_key(index_) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

void ClientConnection::start(std::function<void(bool)> done) {
  done_ = std::move(done);
  boost::system::error_code ec;
  const Target to = ctx_.config.target(index_);
  const tcp::endpoint server(asio::ip::make_address(to.host, ec), to.port);
  if (ec) return finish(false);
  socket_.open(tcp::v4(), ec);
  if (ec) return finish(false);
  if (source_ip_) {
    // Without IP_BIND_ADDRESS_NO_PORT, bind() picks a port unique to the address for every
    // socket and the ephemeral range runs out before the 4-tuples do.
    int one = 1;
    ::setsockopt(socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    socket_.bind(tcp::endpoint(asio::ip::address_v4(*source_ip_), 0), ec);
    if (ec) return finish(false);
  }
  socket_.async_connect(server, [this](boost::system::error_code ec) {
    if (ec) return finish(false);
    socket_.set_option(tcp::no_delay(true), ec);
    handshake();
  });
}

void ClientConnection::handshake() {
  writing_ = request();
  asio::async_write(socket_, asio::buffer(writing_),
                    [this](boost::system::error_code ec, std::size_t) {
                      writing_.clear();
                      if (ec) return finish(false);
                      read_handshake(0);
                    });
}

void ClientConnection::read_handshake(std::size_t have) {
  socket_.async_read_some(
      asio::buffer(buffer_.data() + have, buffer_.size() - have),
      [this, have](boost::system::error_code ec, std::size_t n) {
        if (ec) return finish(false);
        const std::size_t total = have + n;
        const std::string_view text(buffer_.data(), total);
        const auto end = text.find("\r\n\r\n");
        if (end == std::string_view::npos) {
          if (total == buffer_.size()) return finish(false);
          return read_handshake(total);
        }
        if (text.rfind("HTTP/1.1 101", 0) != 0) return finish(false);
        open_ = true;
        read_at_ns_ = now_ns();
        finish(true);
        // Frames may follow the response in the same read.
        const std::size_t rest = total - (end + 4);
        if (rest > 0 && !parser_.feed(buffer_.data() + end + 4, rest)) return close();
        if (ctx_.config.hello) send_frame(Opcode::text, R"({"action":"hello"})");
        read_frames();
      });
}

void ClientConnection::finish(bool ok) {
  (ok ? ctx_.opened : ctx_.failed).fetch_add(1, std::memory_order_relaxed);
  if (!ok) {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }
  if (done_) {
    auto done = std::move(done_);
    done_ = nullptr;
    done(ok);
  }
}

void ClientConnection::read_frames() {
  socket_.async_read_some(asio::buffer(buffer_), [this](boost::system::error_code ec,
                                                        std::size_t n) {
    if (ec) {
      if (open_) ctx_.closed.fetch_add(1, std::memory_order_relaxed);
      open_ = false;
      return;
    }
    read_at_ns_ = now_ns();
    if (!parser_.feed(buffer_.data(), n)) {
      ctx_.closed.fetch_add(1, std::memory_order_relaxed);
      return close();
    }
    read_frames();
  });
}

void ClientConnection::on_message(Opcode, std::string_view head, std::uint64_t) {
  worker_.count_frame();
  if (!got_first_) {
    got_first_ = true;
    ctx_.ready.fetch_add(1, std::memory_order_relaxed);
  }
  const auto seq = ctx_.marker.find(head);
  if (!seq) return on_answer(head);
  const auto d = ctx_.tracker.deliver(*seq, read_at_ns_);
  if (!d.known) return;
  WorkerStats& s = worker_.stats();
  ++s.delivered;
  s.latency_us.record(static_cast<std::uint64_t>(d.latency_ns / 1000));
  if (d.duplicate) ++s.duplicates;
  const std::size_t rooms = ctx_.config.rooms;
  if (rooms > 1 && d.sender != not_a_sender && room_of(d.sender, rooms) != room_of(index_, rooms))
    ++s.misrouted;
  if (d.sender == sender_) {
    last_echo_ns_.store(read_at_ns_, std::memory_order_relaxed);
    if (in_flight_ > 0) --in_flight_;
    // Self-clocked sending: each own message back frees one place in the window (an earlier
    // phase's messages still out hold places too: they come back without sending).
    if (ctx_.sending.load(std::memory_order_relaxed) && in_flight_ < ctx_.config.window) send_next();
  }
}

void ClientConnection::on_answer(std::string_view head) {
  if (ctx_.config.protocol != PeerProtocol::parley) return;
  WorkerStats& s = worker_.stats();
  // The gateway's refusal (docs/protocol.md, Rate limits) names no message: with the window's
  // sends answered in order it is one of them, which will never be delivered.
  if (head.find(R"("message":"Too Many Requests")") != std::string_view::npos) {
    ++s.refused;
    s.refused_deliveries += room_size_;
    if (in_flight_ > 0) --in_flight_;
  } else if (head.find(R"("type":"error")") != std::string_view::npos ||
             head.find(R"("message":"Internal server error")") != std::string_view::npos ||
             head.find(R"("message":"Endpoint request timed out")") != std::string_view::npos) {
    ++s.errors;
  }
}

void ClientConnection::refill(std::size_t window) {
  while (open_ && in_flight_ < window) send_next();
}

void ClientConnection::restart_window(std::size_t window) {
  in_flight_ = 0;
  refill(window);
}

void ClientConnection::on_control(Opcode opcode, std::string_view payload) {
  if (opcode == Opcode::ping) send_frame(Opcode::pong, payload);
  if (opcode == Opcode::close) {
    if (open_) ctx_.closed.fetch_add(1, std::memory_order_relaxed);
    close();
  }
}

void ClientConnection::send_next() {
  if (!open_) return;
  ++in_flight_;
  // Spread over rooms, a message completes when its room has it; in one room, when all have it.
  send_message(ctx_.tracker.begin_send(sender_, ctx_.config.rooms > 1 ? room_size_ : 0));
}

void ClientConnection::send_message(std::uint64_t seq) {
  if (!open_) return;
  const Config& c = ctx_.config;
  const std::string text = ctx_.marker.text(seq, c.payload);
  std::string body;
  if (c.protocol == PeerProtocol::raw) {
    body = text;
  } else {
    const std::string to = room();
    body.reserve(text.size() + 96 + to.size());
    body += R"({"action":"sendmessage","message":)";
    append_json_string(body, text);
    body += R"(,"room":)";
    append_json_string(body, to);
    // The run tag keeps Parley's idempotency (clientMsgId per room) from merging two runs.
    body += R"(,"clientMsgId":")" + ctx_.marker.run() + std::to_string(seq) + "\"}";
  }
  ctx_.tracker.mark_sent(seq, now_ns());
  send_frame(Opcode::text, body);
}

void ClientConnection::send_frame(Opcode opcode, std::string_view payload) {
  if (!open_) return;
  ws::append_client_frame(pending_, opcode, payload, mask_);
  if (!write_in_flight_) flush();
}

void ClientConnection::flush() {
  if (pending_.empty()) return;
  writing_.swap(pending_);
  write_in_flight_ = true;
  asio::async_write(socket_, asio::buffer(writing_),
                    [this](boost::system::error_code ec, std::size_t) {
                      write_in_flight_ = false;
                      writing_.clear();
                      if (ec) return;
                      flush();
                    });
}

void ClientConnection::close() {
  open_ = false;
  boost::system::error_code ignored;
  socket_.close(ignored);
}

}  // namespace bench
