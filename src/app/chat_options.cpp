// `parley chat`'s options, declared once (app/options.hpp).
#include <cstdint>

#include "app/chat_command.hpp"

namespace app {

namespace {

OptionTable make() {
  using K = OptionKind;
  OptionTable t;
  t.usage = R"(Usage: parley chat URL [options]

Talks to a Parley server at URL, its WebSocket endpoint (ws://HOST:PORT/STAGE, or wss://).

On a terminal: an interactive client. Received events are shown as lines, a line typed is sent
to the current room, and /join, /leave, /room, /who, /dm, /history, /name and /quit do what
they say (/help lists them). The connection comes back by itself, catching up where it was.

With standard input not a terminal: each input line is sent as a message to the home room and
every server event is printed as one JSON line. At the end of input the client waits for the
acks (at most 5 s) and closes. Exit status: 0, 1 when the connection failed or the server
closed it (a refused handshake prints its HTTP status), 2 for a usage error.
)";
  t.positional = "URL";
  t.groups.push_back({"Options", {
      {.name = "room", .value_name = "ROOM", .help = "the home room (default: the server's, lobby)"},
      {.name = "name", .value_name = "NAME", .help = "your display name (default: the server picks guest-XXXX)"},
      {.name = "token", .value_name = "T", .help = "passed to the server as the token query parameter"},
      {.name = "since", .kind = K::whole, .value_name = "SEQ",
       .help = "the last message you have of the home room: history starts after it", .min = 0,
       .max = INT64_MAX},
      {.name = "guest-file", .value_name = "FILE",
       .help = "where the guest token of an anonymous server is kept, so that you\n"
               "stay the same person (and keep your direct messages) from run to run\n"
               "(default: $XDG_CONFIG_HOME/parley/guests/HOST_PORT_STAGE.token, else\n"
               "~/.config/...)"},
  }});
  return t;
}

}  // namespace

const OptionTable& chat_options() {
  static const OptionTable table = make();
  return table;
}

}  // namespace app
