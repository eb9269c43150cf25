#pragma once
// The function table: which route key runs which handler. This is the set of routes the API
// has (as the SAM template declares them), shared by the in-process and Lambda integrations.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "apigw/ws_event.hpp"
#include "handlers/limits.hpp"
#include "handlers/ports.hpp"

namespace handlers {

using Handler = std::function<apigw::Response(const apigw::Event&, Ports&)>;

class Router {
 public:
  void add(std::string route_key, Handler h);
  // nullptr when no such route.
  const Handler* find(std::string_view route_key) const;
  std::vector<std::string> route_keys() const;

 private:
  std::map<std::string, Handler, std::less<>> routes_;
};

// Parley's chat API (docs/protocol.md): $connect, $disconnect, $default, sendmessage, join,
// leave, setname, history, who, dm, hello, ping.
Router chat_routes(const Limits& limits = {});

}  // namespace handlers
