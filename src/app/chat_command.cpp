#include "app/chat_command.hpp"

#include <unistd.h>

#include <cstdint>
#include <iostream>
#include <stdexcept>

#include "app/options.hpp"
#include "client/chat_options.hpp"
#include "client/interactive_chat.hpp"
#include "client/pipe_chat.hpp"

namespace app {

int chat_command(const std::vector<std::string>& args) {
  Options o(chat_options(), args);
  if (o.help()) {
    std::cout << chat_options().help();
    return 0;
  }
  const auto& positional = o.positional();
  if (positional.size() != 1)
    throw std::invalid_argument(positional.empty() ? "the server's URL is missing (parley chat ws://localhost:8080/dev)"
                                                   : "one URL only, not '" + positional[1] + "'");
  client::ChatOptions c;
  c.url = client::WsUrl::parse(positional[0]);
  c.room = o.get("room");
  c.name = o.get("name");
  c.token = o.get("token");
  c.guest_file = o.has("guest-file") ? std::filesystem::path(o.get("guest-file"))
                                     : client::default_guest_file(c.url);
  if (c.token.empty()) c.guest = client::load_guest_token(c.guest_file);
  if (o.has("since")) c.since = o.number("since");

  if (::isatty(STDIN_FILENO)) {
    client::InteractiveChat chat(std::move(c), STDIN_FILENO, std::cout, ::isatty(STDOUT_FILENO));
    return chat.run();
  }
  client::PipeChat chat(std::move(c), STDIN_FILENO, std::cout, std::cerr);
  return chat.run();
}

}  // namespace app
