#pragma once
// A raw WebSocket client over a blocking TCP socket, for driving one session from a test: it
// writes masked frames of any kind (also broken ones) and reads the server's frames one by one,
// giving up after a deadline instead of hanging.
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

namespace gateway::testing {

struct ClientFrame {
  std::uint8_t opcode = 0;
  std::string payload;
  std::uint16_t close_code() const {
    return payload.size() >= 2 ? static_cast<std::uint16_t>(
                                     (static_cast<std::uint8_t>(payload[0]) << 8) |
                                     static_cast<std::uint8_t>(payload[1]))
                               : 0;
  }
};

class RawClient {
 public:
  explicit RawClient(boost::asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}

  boost::asio::ip::tcp::socket& socket() { return socket_; }

  // A frame as a browser sends it: masked (with a zero key, so the payload reads as is).
  static std::string frame(std::uint8_t opcode, const std::string& payload, bool masked = true) {
    std::string f;
    f.push_back(static_cast<char>(0x80 | opcode));
    const std::uint8_t mask = masked ? 0x80 : 0;
    if (payload.size() < 126) {
      f.push_back(static_cast<char>(mask | payload.size()));
    } else {
      f.push_back(static_cast<char>(mask | 126));
      f.push_back(static_cast<char>(payload.size() >> 8));
      f.push_back(static_cast<char>(payload.size() & 0xff));
    }
    if (masked) f.append(4, '\0');
    return f + payload;
  }
  static std::string close_frame(std::uint16_t code, const std::string& reason) {
    std::string p{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
    return frame(0x8, p + reason);
  }

  void write(const std::string& bytes) { boost::asio::write(socket_, boost::asio::buffer(bytes)); }

  // The 101 (or a refusal): the response head, up to the blank line.
  std::string read_head(std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    std::string head;
    while (head.find("\r\n\r\n") == std::string::npos) {
      auto b = read_bytes(1, limit);
      if (!b) break;
      head += *b;
    }
    return head;
  }

  // The next frame, or nothing when none came in time or the socket closed.
  std::optional<ClientFrame> read_frame(std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    auto h = read_bytes(2, limit);
    if (!h) return std::nullopt;
    ClientFrame f;
    f.opcode = static_cast<std::uint8_t>((*h)[0]) & 0x0f;
    std::uint64_t len = static_cast<std::uint8_t>((*h)[1]) & 0x7f;
    if (len >= 126) {
      auto ext = read_bytes(len == 126 ? 2 : 8, limit);
      if (!ext) return std::nullopt;
      len = 0;
      for (char c : *ext) len = (len << 8) | static_cast<std::uint8_t>(c);
    }
    if (len > 0) {
      auto p = read_bytes(static_cast<std::size_t>(len), limit);
      if (!p) return std::nullopt;
      f.payload = std::move(*p);
    }
    return f;
  }

  // True when the server closed the connection (end of stream) within `limit`.
  bool sees_end(std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    for (;;) {
      pollfd p{socket_.native_handle(), POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(limit.count())) != 1) return false;
      char buf[4096];
      const auto r = ::recv(socket_.native_handle(), buf, sizeof buf, 0);
      if (r <= 0) return true;
    }
  }

 private:
  std::optional<std::string> read_bytes(std::size_t n, std::chrono::milliseconds limit) {
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (got.size() < n) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{socket_.native_handle(), POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1)
        return std::nullopt;
      char buf[65536];
      const auto r = ::recv(socket_.native_handle(), buf, std::min(sizeof buf, n - got.size()), 0);
      if (r <= 0) return std::nullopt;
      got.append(buf, static_cast<std::size_t>(r));
    }
    return got;
  }

  boost::asio::ip::tcp::socket socket_;
};

}  // namespace gateway::testing
