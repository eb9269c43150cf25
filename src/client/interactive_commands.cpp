// InteractiveChat's typed input: messages and slash commands.
#include <ostream>

#include <boost/json.hpp>

#include "client/interactive_chat.hpp"
#include "core/ids.hpp"
#include "core/utf8.hpp"

namespace client {
namespace json = boost::json;

namespace {

// No message of 4096 characters is longer in UTF-8.
constexpr std::size_t max_text_bytes = 4 * 4096;

}  // namespace

const char* const InteractiveChat::help = R"(Commands:
  TEXT              send TEXT to the current room (//TEXT sends a text starting with /)
  /join ROOM        join ROOM and talk there
  /leave [ROOM]     leave ROOM (default: the current room)
  /room ROOM        talk in ROOM, one of the rooms you are in
  /who [ROOM]       list the members of ROOM
  /dm NAME TEXT     send a direct message to NAME
  /history [ROOM]   show the messages before the oldest one shown
  /name NAME        change your name
  /quit             leave (Ctrl+D does too))";

void InteractiveChat::on_line(std::string line) {
  if (quitting_) return;
  const Command c = Command::parse(line);
  if (!welcomed_ && c.kind != Command::Kind::quit && c.kind != Command::Kind::help) {
    early_lines_.push_back(std::move(line));
    return;
  }
  if (c.kind == Command::Kind::say) {
    if (c.text.empty()) return;
    // The terminal echoed the line; the room's copy of it replaces the echo.
    if (tty_out_) out_ << "\x1b[1A\x1b[2K" << std::flush;
  }
  run_command(c);
}

void InteractiveChat::run_command(const Command& c) {
  using Kind = Command::Kind;
  const std::string room = c.room.empty() ? current_ : c.room;
  const bool needs_room =
      c.kind == Kind::say || c.kind == Kind::leave || c.kind == Kind::who || c.kind == Kind::history;
  if (needs_room && room.empty()) return print("! you are in no room: /join ROOM first");
  if ((c.kind == Kind::say || c.kind == Kind::dm) &&
      (c.text.size() > max_text_bytes || !core::valid_utf8(c.text)))
    return print(c.text.size() > max_text_bytes ? "! too_long: not sent (over 4096 characters)"
                                                : "! not sent: the text is not UTF-8");
  switch (c.kind) {
    case Kind::say:
      return send_tracked(
          {{"action", "sendmessage"}, {"room", room}, {"message", c.text}});
    case Kind::dm:
      return send_tracked({{"action", "dm"}, {"to", c.name}, {"message", c.text}});
    case Kind::join: {
      json::object join{{"action", "join"}, {"room", room}};
      // Back in a room we were in: only what we have not seen yet.
      if (auto last = state_.last(room)) join["since"] = *last;
      return send(join);
    }
    case Kind::leave:
      return send({{"action", "leave"}, {"room", room}});
    case Kind::who:
      return send({{"action", "who"}, {"room", room}});
    case Kind::history: {
      auto req = state_.older_request(room, history_page);
      if (!req) return print("* no older messages in #" + room);
      paging_.insert(room);
      return send(*req);
    }
    case Kind::name:
      return send({{"action", "setname"}, {"name", c.name}});
    case Kind::room:
      if (!in_room(room)) return print("! you are not in #" + room + ": /join " + room);
      current_ = room;
      return print("* now talking in #" + room);
    case Kind::quit:
      return quit();
    case Kind::help:
      return print(help);
    case Kind::invalid:
      return print("! " + c.text);
  }
}

void InteractiveChat::send(const json::object& frame) {
  if (!ws_ || !ws_->is_open()) return print("! not connected: try again when the connection is back");
  ws_->send(json::serialize(frame));
}

void InteractiveChat::send_tracked(json::object frame) {
  std::string id = core::new_hex_id();
  frame["clientMsgId"] = id;
  std::string text = json::serialize(frame);
  unacked_.emplace_back(std::move(id), text);
  if (!ws_ || !ws_->is_open()) return print("* not connected: sent once the connection is back");
  ws_->send(std::move(text));
}

void InteractiveChat::quit() {
  if (quitting_) return;
  quitting_ = true;
  reader_.stop();
  retry_timer_.cancel();
  if (ws_ && ws_->is_open()) ws_->close(1000);
}

}  // namespace client
