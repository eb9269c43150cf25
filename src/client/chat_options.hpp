#pragma once
// What `parley chat` was asked for, shared by its two front ends.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <filesystem>

#include <boost/json/object.hpp>

#include "client/guest_file.hpp"
#include "client/ws_client.hpp"
#include "client/ws_url.hpp"

namespace client {

struct ChatOptions {
  WsUrl url;                          // as given, without our query parameters
  std::string room;                   // --room ("" : the server's default, lobby)
  std::string name;                   // --name ("" : the server picks guest-XXXX)
  std::string token;                  // --token, passed on as is
  // Anonymous servers: the guest token kept in `guest_file` ("" : none yet, or not kept), sent
  // as the guest query parameter so that we stay the same person (docs/security.md).
  std::string guest;
  std::filesystem::path guest_file;
  std::optional<std::int64_t> since;  // --since, for the home room
  WsOptions ws;

  // The URL to connect to: room, name, since and token as query parameters, when set.
  WsUrl connect_url(const std::string& room_now, const std::string& name_now,
                    std::optional<std::int64_t> since_now) const {
    std::vector<std::pair<std::string, std::string>> q;
    if (!room_now.empty()) q.emplace_back("room", room_now);
    if (!name_now.empty()) q.emplace_back("name", name_now);
    if (since_now) q.emplace_back("since", std::to_string(*since_now));
    if (!token.empty()) q.emplace_back("token", token);
    if (token.empty() && !guest.empty()) q.emplace_back("guest", guest);
    return url.with_query(q);
  }

  // Why a connect failed, with what to do when it was our saved guest token that was refused.
  std::string explain(const ConnectResult& r, const WsUrl& at) const {
    std::string s = r.describe(at);
    if (r.http_status == 403 && token.empty() && !guest.empty())
      s += " (the saved guest identity in " + guest_file.string() +
           " was refused: it expired or the server's guest key changed; delete the file to "
           "connect as a new guest)";
    return s;
  }

  // A welcome's guestToken (reissued on every connect): kept for the next connect and run.
  void keep_guest_token(const boost::json::object& welcome) {
    const auto* t = welcome.if_contains("guestToken");
    if (!t || !t->is_string() || t->get_string().empty()) return;
    guest = t->get_string();
    save_guest_token(guest_file, guest);
  }
};

}  // namespace client
