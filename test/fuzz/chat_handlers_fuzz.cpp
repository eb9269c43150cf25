// libFuzzer target: the chat handlers on an arbitrary frame body (handlers/body.cpp parsing,
// every route's field checks), on the real SQLite store in a temporary directory. The first
// byte picks the route, as the gateway's route selection would; the rest is the body.
// Invariants: no crash, no exception (the gateway would answer "Internal server error"), a
// status the gateway understands, and every event posted to a client is a JSON object with a
// string "type".
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string_view>

#include <boost/json.hpp>

#include "apigw/connections.hpp"
#include "core/log.hpp"
#include "handlers/router.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

constexpr const char* self_id = "FuzzConnXXXXXXX=";
constexpr const char* peer_id = "PeerConnYYYYYYY=";
constexpr std::int64_t connected_at = 1738404000000;

// The Connections port, checking what the handlers post instead of keeping it.
class CheckingConnections final : public apigw::Connections {
 public:
  std::vector<core::result<void>> post(const apigw::Recipients& to, const apigw::SharedFrame& data,
                                       apigw::PostOptions) override {
    boost::system::error_code ec;
    auto v = boost::json::parse(*data, ec);
    if (ec || !v.is_object() || !v.as_object().contains("type") ||
        !v.as_object().at("type").is_string())
      std::abort();
    if (!to.gateways.empty() && to.gateways.size() != to.ids.size()) std::abort();
    return std::vector<core::result<void>>(to.ids.size());
  }
  core::result<apigw::ConnectionInfo> get(const std::string&) override {
    return apigw::ConnectionInfo{connected_at, connected_at, "127.0.0.1", std::nullopt};
  }
  core::result<void> remove(const std::string&) override { return {}; }
};

apigw::Event event(std::string route_key, apigw::EventType type, std::string id) {
  apigw::Event e;
  auto& c = e.request_context;
  c.route_key = std::move(route_key);
  c.event_type = type;
  c.connection_id = std::move(id);
  c.request_id = "Req1aBcDeFgHiJk=";
  c.request_time = "01/Feb/2025:10:00:00 +0000";
  c.request_time_epoch = connected_at + 12;
  c.connected_at = connected_at;
  c.stage = "dev";
  c.domain_name = "localhost:8080";
  c.api_id = "abcdefghij";
  c.identity.source_ip = "127.0.0.1";
  return e;
}

struct World {
  World() {
    core::log::set_level(core::log::level::error);
    char tmpl[] = "/tmp/parley-fuzz-XXXXXX";
    if (!mkdtemp(tmpl)) std::abort();
    dir = tmpl;
    auto db = store::Sqlite::open(dir / "parley.db");
    if (!db) std::abort();
    store = std::move(*db);
    for (const char* id : {self_id, peer_id}) {
      auto e = event("$connect", apigw::EventType::connect, id);
      e.headers = apigw::HeaderMap{{"Host", "localhost:8080"}};
      e.query_string_parameters =
          apigw::HeaderMap{{"name", id == self_id ? "fuzz" : "peer"}, {"room", "lobby"}};
      ports_connect(e);
    }
  }
  ~World() {
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  void ports_connect(const apigw::Event& e) {
    handlers::Ports p{store->tables(), connections};
    (void)(*router.find("$connect"))(e, p);
  }

  std::filesystem::path dir;
  std::unique_ptr<store::Sqlite> store;
  CheckingConnections connections;
  handlers::Router router = handlers::chat_routes();
  std::vector<std::string> keys = router.route_keys();
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World world;
  if (size < 1) return 0;
  // Message routes only: $connect / $disconnect carry no body.
  std::vector<std::string> routes;
  for (const auto& k : world.keys)
    if (k != "$connect" && k != "$disconnect") routes.push_back(k);
  const std::string& route = routes[data[0] % routes.size()];
  auto e = event(route, apigw::EventType::message, self_id);
  e.request_context.message_id = "Msg1aBcDeFgHiJk=";
  e.body = std::string(reinterpret_cast<const char*>(data + 1), size - 1);
  handlers::Ports p{world.store->tables(), world.connections};
  const apigw::Response r = (*world.router.find(route))(e, p);
  if (r.status_code < 200 || r.status_code > 599) std::abort();
  return 0;
}
