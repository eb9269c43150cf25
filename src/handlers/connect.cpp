#include "handlers/connect.hpp"

#include "core/log.hpp"
#include "handlers/names.hpp"

namespace handlers {
namespace {

// Rows outlive the 2-hour connection limit by a margin, then TTL sweeps rows of crashed nodes.
constexpr std::int64_t ttl_seconds = 2 * 3600 + 600;

apigw::Response refuse(int status, std::string message) {
  apigw::Response r;
  r.status_code = status;
  r.body = std::move(message);
  return r;
}

std::string query(const apigw::Event& e, const std::string& key) {
  if (!e.query_string_parameters) return {};
  auto it = e.query_string_parameters->find(key);
  return it == e.query_string_parameters->end() ? std::string{} : it->second;
}

}  // namespace

apigw::Response connect(const apigw::Event& e, Ports& p) {
  const auto& ctx = e.request_context;
  std::string name = query(e, "name");
  if (name.empty()) name = guest_name(ctx.connection_id);
  if (!valid_name(name)) return refuse(400, "invalid name");
  std::string room = query(e, "room");
  if (room.empty()) room = std::string(default_room);
  if (!valid_room(room)) return refuse(400, "invalid room");

  store::Connection c;
  c.connection_id = ctx.connection_id;
  c.room = std::move(room);
  c.name = std::move(name);
  c.connected_at = ctx.connected_at;
  c.ttl = ctx.connected_at / 1000 + ttl_seconds;
  if (auto r = p.store.put_connection(c); !r) {
    core::log::error("connect: cannot store connection",
                     {{"connectionId", ctx.connection_id}, {"error", r.error().message()}});
    return refuse(500, "store unavailable");
  }
  return {};
}

}  // namespace handlers
