#include "app/chat_command.hpp"

#include <unistd.h>

#include <cstdint>
#include <iostream>
#include <map>
#include <stdexcept>

#include "app/options.hpp"
#include "client/chat_options.hpp"
#include "client/interactive_chat.hpp"
#include "client/pipe_chat.hpp"

namespace app {

const char* const chat_usage = R"(Usage: parley chat URL [options]

Talks to a Parley server at URL, its WebSocket endpoint (ws://HOST:PORT/STAGE, or wss://).

On a terminal: an interactive client. Received events are shown as lines, a line typed is sent
to the current room, and /join, /leave, /room, /who, /dm, /history, /name and /quit do what
they say (/help lists them). The connection comes back by itself, catching up where it was.

With standard input not a terminal: each input line is sent as a message to the home room and
every server event is printed as one JSON line. At the end of input the client waits for the
acks (at most 5 s) and closes. Exit status: 0, 1 when the connection failed or the server
closed it (a refused handshake prints its HTTP status), 2 for a usage error.

Options:
  --room ROOM   the home room (default: the server's, lobby)
  --name NAME   your display name (default: the server picks guest-XXXX)
  --token T     passed to the server as the token query parameter
  --since SEQ   the last message you have of the home room: history starts after it
  --guest-file FILE  where the guest token of an anonymous server is kept, so that you stay
                the same person (and keep your direct messages) from run to run (default:
                $XDG_CONFIG_HOME/parley/guests/HOST_PORT_STAGE.token, else ~/.config/...)
)";

namespace {

const std::map<std::string, bool> known = {
    {"room", true}, {"name", true}, {"token", true}, {"since", true}, {"guest-file", true}, {"help", false}};

}  // namespace

int chat_command(const std::vector<std::string>& args) {
  // The URL is the one argument that is not an option (nor an option's value).
  std::vector<std::string> options;
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) {
      positional.push_back(a);
      continue;
    }
    options.push_back(a);
    const std::string name = a.substr(2, a.find('=') - 2);
    auto it = known.find(name);
    if (a.find('=') == std::string::npos && it != known.end() && it->second && i + 1 < args.size())
      options.push_back(args[++i]);
  }
  Options o(options, known);
  if (o.has("help")) {
    std::cout << chat_usage;
    return 0;
  }
  if (positional.size() != 1)
    throw std::invalid_argument(positional.empty() ? "the server's URL is missing (parley chat ws://localhost:8080/dev)"
                                                   : "one URL only, not '" + positional[1] + "'");
  client::ChatOptions c;
  c.url = client::WsUrl::parse(positional[0]);
  c.room = o.get("room", "");
  c.name = o.get("name", "");
  c.token = o.get("token", "");
  c.guest_file = o.has("guest-file") ? std::filesystem::path(o.get("guest-file", ""))
                                     : client::default_guest_file(c.url);
  if (c.token.empty()) c.guest = client::load_guest_token(c.guest_file);
  if (o.has("since")) c.since = o.number("since", 0, 0, INT64_MAX);

  if (::isatty(STDIN_FILENO)) {
    client::InteractiveChat chat(std::move(c), STDIN_FILENO, std::cout, ::isatty(STDOUT_FILENO));
    return chat.run();
  }
  client::PipeChat chat(std::move(c), STDIN_FILENO, std::cout, std::cerr);
  return chat.run();
}

}  // namespace app
