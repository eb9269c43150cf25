#pragma once
// What `parley chat` was asked for, shared by its two front ends.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/ws_client.hpp"
#include "client/ws_url.hpp"

namespace client {

struct ChatOptions {
  WsUrl url;                          // as given, without our query parameters
  std::string room;                   // --room ("" : the server's default, lobby)
  std::string name;                   // --name ("" : the server picks guest-XXXX)
  std::string token;                  // --token, passed on as is
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
    return url.with_query(q);
  }
};

}  // namespace client
