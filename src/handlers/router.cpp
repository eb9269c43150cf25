#include "handlers/router.hpp"

#include "apigw/route_key.hpp"
#include "handlers/connect.hpp"
#include "handlers/default_route.hpp"
#include "handlers/disconnect.hpp"
#include "handlers/dm.hpp"
#include "handlers/history.hpp"
#include "handlers/meta.hpp"
#include "handlers/presence.hpp"
#include "handlers/rooms.hpp"
#include "handlers/send_message.hpp"

namespace handlers {

void Router::add(std::string route_key, Handler h) { routes_[std::move(route_key)] = std::move(h); }

const Handler* Router::find(std::string_view route_key) const {
  auto it = routes_.find(route_key);
  return it == routes_.end() ? nullptr : &it->second;
}

std::vector<std::string> Router::route_keys() const {
  std::vector<std::string> keys;
  for (const auto& [k, _] : routes_) keys.push_back(k);
  return keys;
}

Router chat_routes(const Limits& limits) {
  Router r;
  r.add(std::string(apigw::route_key::connect), connect);
  r.add(std::string(apigw::route_key::disconnect), disconnect);
  r.add(std::string(apigw::route_key::default_), default_route);
  r.add("sendmessage", static_cast<apigw::Response (*)(const apigw::Event&, Ports&)>(send_message));
  r.add("join", [limits](const apigw::Event& e, Ports& p) { return join(e, p, limits); });
  r.add("leave", leave);
  r.add("setname", setname);
  r.add("history", history);
  r.add("who", who);
  r.add("dm", dm);
  r.add("hello", hello);
  r.add("ping", ping);
  return r;
}

}  // namespace handlers
