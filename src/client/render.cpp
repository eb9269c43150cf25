#include "client/render.hpp"

#include <ctime>

#include <boost/json/value.hpp>

namespace client {
namespace json = boost::json;

namespace {

std::string str(const json::object& o, const char* key, std::string fallback = "") {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : fallback;
}

std::int64_t num(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
  return 0;
}

// Control characters from other people must not move our cursor or recolour the terminal:
// C0 and DEL, and the C1 range (U+0080-U+009F, which holds the one-character CSI).
std::string printable(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\t') {
      out += ' ';
    } else if (c < 0x20 || c == 0x7f) {
      out += '?';
    } else if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
      out += '?';
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string room_list(const json::value* v) {
  std::string out;
  if (!v || !v->is_array()) return out;
  for (const auto& r : v->get_array()) {
    if (!r.is_string()) continue;
    if (!out.empty()) out += ", ";
    out.append("#").append(r.get_string());
  }
  return out;
}

}  // namespace

std::string Renderer::clock(std::int64_t epoch_ms) const {
  const std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  if (utc_)
    gmtime_r(&secs, &tm);
  else
    localtime_r(&secs, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "[%H:%M]", &tm);
  return buf;
}

std::string Renderer::message(const json::object& m) const {
  const std::string who = printable(str(m, "name", "?"));
  const std::string text = printable(str(m, "text"));
  if (str(m, "type") == "dm")
    return clock(num(m, "ts")) + " " + who + " → " + printable(str(m, "to", "?")) + ": " + text;
  return clock(num(m, "ts")) + " #" + printable(str(m, "room")) + " " + who + ": " + text;
}

std::optional<std::string> Renderer::line(const json::object& e) const {
  const std::string type = str(e, "type");
  const std::string room = std::string(1, '#').append(printable(str(e, "room")));
  if (type == "message" || type == "dm") return message(e);
  if (type == "presence") {
    const std::string who = printable(str(e, "name", "?"));
    const std::string event = str(e, "event");
    if (event == "join") return "* " + who + " joined " + room;
    if (event == "leave") return "* " + who + " left " + room;
    if (event == "rename")
      return "* " + printable(str(e, "oldName", "?")) + " is now " + who + " in " + room;
    return "* " + who + " " + printable(event) + " " + room;
  }
  if (type == "error") {
    return "! " + printable(str(e, "code", "error")) + ": " + printable(str(e, "message"));
  }
  if (type == "welcome") {
    return "* connected as " + printable(str(e, "name", "?")) + " in " +
           printable(room_list(e.if_contains("rooms")));
  }
  if (type == "joined") return "* you joined " + room + " as " + printable(str(e, "name", "?"));
  if (type == "left") return "* you left " + room;
  if (type == "name") {
    std::string out = "* you are now " + printable(str(e, "name", "?"));
    // Where a room shows another name (taken there), say so.
    if (const json::value* rs = e.if_contains("rooms"); rs && rs->is_object())
      for (const auto& [r, shown] : rs->get_object())
        if (shown.is_string() && shown.get_string() != str(e, "name"))
          out += "; in #" + printable(std::string(r)) + " " + printable(std::string(shown.get_string()));
    return out;
  }
  if (type == "members") {
    std::string names;
    std::size_t n = 0;
    if (const json::value* ms = e.if_contains("members"); ms && ms->is_array())
      for (const auto& m : ms->get_array()) {
        if (!m.is_object()) continue;
        names += (n++ ? ", " : "") + printable(str(m.get_object(), "name", "?"));
      }
    return "* " + room + " (" + std::to_string(n) + "): " + names;
  }
  if (type == "ack" || type == "pong" || type == "history") return std::nullopt;
  // The gateway's own frames have no type, only a message ("Internal server error").
  if (type.empty() && e.contains("message")) return "! server: " + printable(str(e, "message"));
  return std::nullopt;
}

}  // namespace client
