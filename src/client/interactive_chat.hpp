#pragma once
// `parley chat` on a terminal: readable lines, slash commands, and a connection that comes back
// by itself (with backoff) and catches up exactly where it left off.
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include "client/chat_options.hpp"
#include "client/chat_state.hpp"
#include "client/command.hpp"
#include "client/line_reader.hpp"
#include "client/render.hpp"
#include "client/ws_client.hpp"

namespace client {

class InteractiveChat {
 public:
  // `tty_out`: stdout is a terminal too, so the echo of a typed message can be replaced by
  // the message as the room sees it.
  InteractiveChat(ChatOptions options, int input_fd, std::ostream& out, bool tty_out);

  // Until /quit, end of input or Ctrl+C (0), or a connection that cannot come back (1): the
  // first connection failing, a refused reconnect (4xx), or the server ending the session on
  // purpose (close 1000) or for a protocol error.
  int run();

  // How long a gap in a room may last before its history is asked for (protocol rule 4).
  static constexpr std::int64_t gap_patience_ms = 1000;
  // Messages per /history page.
  static constexpr int history_page = 20;
  // The server closes connections silent for 10 minutes: ping well before.
  static constexpr std::chrono::seconds ping_interval{240};
  // Reconnect delays double from 1 s up to this.
  static constexpr std::chrono::seconds max_backoff{30};

  static const char* const help;

 private:
  boost::asio::awaitable<void> main();
  boost::asio::awaitable<void> keepalive(std::shared_ptr<WsClient> ws);
  boost::asio::awaitable<void> pause(int attempt);
  void on_open();
  void on_frame(const std::string& text);
  void on_event(const boost::json::object& e);
  void on_history(const boost::json::object& e);
  void show(const ChatState::Shown& shown);
  void schedule_gap_check();

  // Typed input (interactive_commands.cpp).
  void on_line(std::string line);
  void run_command(const Command& c);
  void send(const boost::json::object& frame);
  void send_tracked(boost::json::object frame);
  void quit();

  std::string home_room() const;
  bool in_room(const std::string& room) const;
  void print(const std::string& line);

  ChatOptions options_;
  std::ostream& out_;
  bool tty_out_;
  boost::asio::io_context io_;
  LineReader reader_;
  ChatState state_;
  Renderer render_;
  std::shared_ptr<WsClient> ws_;
  boost::asio::steady_timer gap_timer_;
  boost::asio::steady_timer retry_timer_;

  std::vector<std::string> rooms_;  // the rooms we are in, home first
  std::string home_;                // where a reconnect lands first
  std::string current_;             // where typed text goes
  std::string name_;                // for reconnects: the name last confirmed by the server
  std::set<std::string> rejoining_; // rooms re-entered after a reconnect: no "you joined" line
  std::set<std::string> paging_;    // rooms with a /history request under way
  // Messages and dms not acked yet, resent after a reconnect (clientMsgId makes that safe).
  std::vector<std::pair<std::string, std::string>> unacked_;
  // Lines typed before the first welcome: they run once we know our rooms.
  std::vector<std::string> early_lines_;
  bool welcomed_ = false;
  bool ever_open_ = false;
  bool gap_armed_ = false;
  bool quitting_ = false;
  int exit_code_ = 0;
};

}  // namespace client
