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

  // After a connect refused with 403: when our guest token was the reason (it expired, or the
  // server's guest key changed), that identity is gone for good; forget it, so that the next
  // connect is a new guest rather than no connect at all. What to tell the user; "" otherwise.
  std::string forget_refused_guest(const ConnectResult& r) {
    if (r.http_status != 403 || !token.empty() || guest.empty()) return {};
    guest.clear();
    std::error_code ec;
    std::filesystem::remove(guest_file, ec);
    return "the server refused the saved guest identity (" + guest_file.string() +
           "): it expired or the server's guest key changed; connecting as a new guest";
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
