#pragma once
// What a line typed in the interactive client asks for: "/join dev", "/dm bob hi", or text.
#include <string>
#include <string_view>

namespace client {

struct Command {
  enum class Kind { say, join, leave, who, dm, history, name, room, quit, help, invalid };

  Kind kind = Kind::say;
  std::string room;   // join, room; leave, who, history when given (else the current room)
  std::string name;   // dm (recipient), name (the new name)
  std::string text;   // say, dm; for invalid: what is wrong

  // Throws nothing: a line that is not a valid command parses as Kind::invalid.
  static Command parse(std::string_view line);
};

}  // namespace client
