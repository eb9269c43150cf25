#pragma once
// `parley chat` with standard input not a terminal: each input line is sent as a message,
// every server event is printed as the JSON line it came as. For scripts and pipes.
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <semaphore>
#include <set>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "client/chat_options.hpp"
#include "client/line_reader.hpp"
#include "client/ws_client.hpp"

namespace client {

class PipeChat {
 public:
  PipeChat(ChatOptions options, int input_fd, std::ostream& out, std::ostream& err);

  // Connects, sends `hello`, then relays until the input ends and every line was acked (or
  // drain_timeout passed), and closes with 1000. Returns the exit code: 0 then, 1 when the
  // connection failed or the server ended it (no reconnect: a script sees the failure).
  int run();

  // How long the end of input waits for outstanding acks.
  static constexpr std::chrono::seconds drain_timeout{5};
  // Lines sent and not yet answered at most; the reader waits beyond (a big file must not
  // flood the server).
  static constexpr std::ptrdiff_t window = 256;
  // An application ping this often: the server closes a connection that sent nothing for
  // 10 minutes, and a quiet pipe is still a live one.
  static constexpr std::chrono::seconds ping_interval{240};
  // No message of 4096 characters is longer in UTF-8: longer lines are refused here rather
  // than risk the connection on them.
  static constexpr std::size_t max_line_bytes = 4 * 4096;

 private:
  boost::asio::awaitable<void> main();
  boost::asio::awaitable<void> keepalive();
  void on_line(std::string line);
  void on_eof();
  void on_frame(const std::string& text);
  void close_now();
  void settle();  // one sent line was answered

  ChatOptions options_;
  std::ostream& out_;
  std::ostream& err_;
  boost::asio::io_context io_;
  std::shared_ptr<WsClient> ws_;
  std::counting_semaphore<window> slots_{window};  // before reader_: its thread waits on it
  LineReader reader_;
  boost::asio::steady_timer drain_timer_;
  boost::asio::steady_timer ping_timer_;
  std::set<std::string> pending_;  // clientMsgIds sent and not yet acked
  std::uint64_t line_number_ = 0;
  std::uint64_t pings_ = 0;        // pongs to swallow: they answer our keepalive
  bool eof_ = false;
  bool closing_ = false;
  int exit_code_ = 1;
};

}  // namespace client
