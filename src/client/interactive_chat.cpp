#include "client/interactive_chat.hpp"

#include <algorithm>
#include <ostream>
#include <random>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "client/run_loop.hpp"

namespace client {
namespace net = boost::asio;
namespace json = boost::json;
using net::use_awaitable;

namespace {

constexpr auto use_tuple = net::as_tuple(use_awaitable);

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string str(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// Closes that say the server does not want this session back, or that repeating it would end
// the same way (our protocol error, an oversized or binary frame).
bool reconnectable(const Incoming& in) {
  switch (in.close_code) {
    case 1000: case 1002: case 1003: case 1007: case 1008: case 1009: return false;
    default: return true;
  }
}

}  // namespace

InteractiveChat::InteractiveChat(ChatOptions options, int input_fd, std::ostream& out,
                                 bool tty_out)
    : options_(std::move(options)), out_(out), tty_out_(tty_out),
      reader_(
          input_fd,
          [this](std::string line) {
            net::post(io_, [this, l = std::move(line)]() mutable { on_line(std::move(l)); });
          },
          [this] { net::post(io_, [this] { quit(); }); }),
      gap_timer_(io_), retry_timer_(io_) {
  home_ = options_.room;
  current_ = options_.room;
  name_ = options_.name;
  if (options_.since && !options_.room.empty()) state_.set_since(options_.room, *options_.since);
}

int InteractiveChat::run() {
  run_until_done(io_, reader_, main(), [this] { quit(); });
  return exit_code_;
}

net::awaitable<void> InteractiveChat::main() {
  print("Parley chat on " + options_.url.text());
  print("Type a message and press Enter to send it to the current room; /help lists the "
        "commands, /quit (or Ctrl+D) leaves.");
  reader_.start();
  for (int attempt = 0;;) {
    const std::string home = home_room();
    std::optional<std::int64_t> since = home.empty() ? options_.since : state_.last(home);
    const WsUrl url = options_.connect_url(home, name_, since);
    ws_ = make_ws_client(io_.get_executor(), url, options_.ws);
    const ConnectResult r = co_await ws_->connect();
    if (quitting_) {
      if (r) {
        ws_->close(1000);
        co_await ws_->read();  // the server's close frame
      }
      co_return;
    }
    if (const std::string why = r ? std::string() : options_.forget_refused_guest(r); !why.empty()) {
      print("! " + why);
      continue;
    }
    if (!r) {
      print("! " + r.describe(url));
      // A first failure is a wrong URL, name or room: say so and stop. A 4xx will not heal.
      if (!ever_open_ || (r.http_status >= 400 && r.http_status < 500)) {
        exit_code_ = 1;
        co_return;
      }
      co_await pause(attempt++);
      if (quitting_) co_return;
      continue;
    }
    attempt = 0;
    on_open();
    Incoming in;
    while (!(in = co_await ws_->read()).closed) on_frame(in.text);
    gap_timer_.cancel();
    if (quitting_) co_return;
    print("! disconnected: " + std::to_string(in.close_code) +
          (in.close_reason.empty() ? "" : " " + in.close_reason) +
          (in.ec ? " (" + in.ec.message() + ")" : ""));
    if (!reconnectable(in)) {
      exit_code_ = 1;
      co_return;
    }
    co_await pause(attempt++);
    if (quitting_) co_return;
  }
}

net::awaitable<void> InteractiveChat::pause(int attempt) {
  // Exponential backoff with jitter, so that clients cut off together do not return together.
  static thread_local std::mt19937 gen{std::random_device{}()};
  const auto base = std::min<std::int64_t>(std::int64_t{1000} << std::min(attempt, 10),
                                           max_backoff.count() * 1000);
  const auto ms = std::uniform_int_distribution<std::int64_t>(base * 4 / 5, base * 6 / 5)(gen);
  print("* reconnecting in " + std::to_string((ms + 500) / 1000) + " s");
  retry_timer_.expires_after(std::chrono::milliseconds(ms));
  co_await retry_timer_.async_wait(use_tuple);
}

net::awaitable<void> InteractiveChat::keepalive(std::shared_ptr<WsClient> ws) {
  net::steady_timer timer(io_);
  for (;;) {
    timer.expires_after(ping_interval);
    co_await timer.async_wait(use_tuple);
    if (!ws->is_open()) co_return;
    ws->send(R"({"action":"ping"})");
  }
}

void InteractiveChat::on_open() {
  const bool reconnect = ever_open_;
  ever_open_ = true;
  net::co_spawn(io_, keepalive(ws_), net::detached);
  // hello, with the catch-up point of every room we know (protocol.md: after a reconnect the
  // history brings exactly the messages after `last`).
  json::object since;
  const auto points = state_.catch_up_points();
  for (const auto& [room, last] : points)
    if (!ChatState::is_dm_room(room) && in_room(room)) since[room] = last;
  json::object hello{{"action", "hello"}};
  if (!since.empty()) hello["since"] = std::move(since);
  send(hello);
  if (!reconnect) return;
  // A new connection is in its home room only: enter the others again, from where we were.
  const std::string home = home_room();
  for (const auto& room : rooms_) {
    if (room == home) continue;
    json::object join{{"action", "join"}, {"room", room}};
    if (auto last = state_.last(room)) join["since"] = *last;
    rejoining_.insert(room);
    send(join);
  }
  // Direct messages missed while away.
  for (const auto& [room, last] : points)
    if (ChatState::is_dm_room(room))
      send(json::object{{"action", "history"}, {"room", room}, {"after", last}, {"limit", 100}});
  for (const auto& [id, frame] : unacked_) ws_->send(frame);
}

void InteractiveChat::on_frame(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    print("! server sent: " + text);
    return;
  }
  on_event(v.get_object());
  schedule_gap_check();
}

void InteractiveChat::on_event(const json::object& e) {
  const std::string type = str(e, "type");
  const std::string room = str(e, "room");
  if (type == "message" || type == "dm") return show(state_.on_message(e, steady_ms()));
  if (type == "history") return on_history(e);
  if (type == "ack" || type == "error") {
    const std::string id = str(e, "clientMsgId");
    std::erase_if(unacked_, [&](const auto& p) { return !id.empty() && p.first == id; });
    if (type == "ack") return;
  } else if (type == "welcome") {
    options_.keep_guest_token(e);
    name_ = str(e, "name");
    std::vector<std::string> rooms;
    if (const json::value* rs = e.if_contains("rooms"); rs && rs->is_array())
      for (const auto& r : rs->get_array())
        if (r.is_string()) rooms.emplace_back(r.get_string());
    if (!rooms.empty()) {
      home_ = rooms.front();
      // --since without --room: it is the home room's, now that we know which that is.
      if (options_.since && !state_.last(home_)) state_.set_since(home_, *options_.since);
    }
    for (auto& r : rooms)
      if (!in_room(r)) rooms_.push_back(std::move(r));
    if (current_.empty() || !in_room(current_)) current_ = home_;
    if (welcomed_) return print("* reconnected as " + name_);
    welcomed_ = true;
    if (auto line = render_.line(e)) print(*line);
    for (const auto& l : std::exchange(early_lines_, {})) run_command(Command::parse(l));
    return;
  } else if (type == "joined") {
    if (!in_room(room)) rooms_.push_back(room);
    if (rejoining_.erase(room)) return;
    current_ = room;
  } else if (type == "left") {
    std::erase(rooms_, room);
    state_.on_left(room);
    if (current_ == room) {
      current_ = rooms_.empty() ? "" : rooms_.front();
      print("* you left #" + room + (current_.empty() ? "; /join a room to talk"
                                                      : "; now talking in #" + current_));
      return;
    }
  } else if (type == "name") {
    name_ = str(e, "name");
  }
  if (auto line = render_.line(e)) print(*line);
}

void InteractiveChat::on_history(const json::object& e) {
  const std::string room = str(e, "room");
  const ChatState::Shown shown = state_.on_history(e, steady_ms());
  const bool asked = paging_.erase(room) > 0;
  if (!shown.older.empty()) {
    const json::value* more = e.if_contains("hasMore");
    const bool at_start = more && more->is_bool() && !more->get_bool();
    print("--- " + std::to_string(shown.older.size()) + " older messages in #" + room +
          (at_start ? " (from the first)" : "") + " ---");
    for (const auto& m : shown.older) print(render_.message(m));
    print("--- end of the older messages ---");
  } else if (asked && shown.messages.empty()) {
    print("* no older messages in #" + room);
  }
  show(shown);
}

void InteractiveChat::show(const ChatState::Shown& shown) {
  for (const auto& m : shown.messages) print(render_.message(m));
}

void InteractiveChat::schedule_gap_check() {
  if (gap_armed_ || !state_.has_gaps()) return;
  gap_armed_ = true;
  gap_timer_.expires_after(std::chrono::milliseconds(gap_patience_ms));
  gap_timer_.async_wait([this](boost::system::error_code ec) {
    gap_armed_ = false;
    if (ec || !ws_ || !ws_->is_open()) return;
    for (const auto& req : state_.gap_requests(steady_ms(), gap_patience_ms)) {
      const std::string room = str(req, "room");
      if (in_room(room) || ChatState::is_dm_room(room)) send(req);
    }
    schedule_gap_check();
  });
}

std::string InteractiveChat::home_room() const {
  if (!home_.empty() && (rooms_.empty() || in_room(home_))) return home_;
  return rooms_.empty() ? home_ : rooms_.front();
}

bool InteractiveChat::in_room(const std::string& room) const {
  return std::find(rooms_.begin(), rooms_.end(), room) != rooms_.end();
}

void InteractiveChat::print(const std::string& line) { out_ << line << '\n' << std::flush; }

}  // namespace client
