#include "client/command.hpp"

#include <array>
#include <cstdint>
#include <utility>

namespace client {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits off the first word: {word, rest (trimmed)}.
std::pair<std::string_view, std::string_view> word(std::string_view s) {
  s = trim(s);
  const auto end = s.find_first_of(" \t");
  if (end == std::string_view::npos) return {s, {}};
  return {s.substr(0, end), trim(s.substr(end))};
}

Command invalid(std::string why) {
  Command c;
  c.kind = Command::Kind::invalid;
  c.text = std::move(why);
  return c;
}

}  // namespace

Command Command::parse(std::string_view line) {
  Command c;
  // "//text" says "/text": the way to start a message with a slash.
  if (line.size() >= 2 && line[0] == '/' && line[1] == '/') {
    c.text = std::string(line.substr(1));
    return c;
  }
  if (line.empty() || line[0] != '/') {
    c.text = std::string(line);
    return c;
  }
  auto [verb, rest] = word(line.substr(1));
  auto [arg, tail] = word(rest);
  const bool one_word = tail.empty();

  if (verb == "quit" || verb == "exit" || verb == "q") {
    c.kind = Kind::quit;
  } else if (verb == "help" || verb == "?") {
    c.kind = Kind::help;
  } else if (verb == "join" || verb == "j") {
    if (arg.empty() || !one_word) return invalid("usage: /join ROOM");
    c.kind = Kind::join;
    c.room = std::string(arg);
  } else if (verb == "room") {
    if (arg.empty() || !one_word) return invalid("usage: /room ROOM");
    c.kind = Kind::room;
    c.room = std::string(arg);
  } else if (verb == "leave" || verb == "part" || verb == "who" || verb == "history") {
    if (!one_word) return invalid("usage: /" + std::string(verb) + " [ROOM]");
    c.kind = verb == "who" ? Kind::who : verb == "history" ? Kind::history : Kind::leave;
    c.room = std::string(arg);
  } else if (verb == "dm" || verb == "msg") {
    if (arg.empty() || tail.empty()) return invalid("usage: /dm NAME TEXT");
    c.kind = Kind::dm;
    c.name = std::string(arg);
    c.text = std::string(tail);
  } else if (verb == "name" || verb == "nick") {
    // Names may hold spaces: everything after the verb is the name.
    if (rest.empty()) return invalid("usage: /name NAME");
    c.kind = Kind::name;
    c.name = std::string(rest);
  } else {
    return invalid("unknown command /" + std::string(verb) + " (try /help)");
  }
  return c;
}

}  // namespace client
