#include "gateway/event_builder.hpp"

#include <boost/url/parse.hpp>

#include "apigw/route_key.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "gateway/config.hpp"

namespace gateway {
namespace {

apigw::Event base_event(const Config& config, const ConnectionMeta& m, std::string route_key,
                        apigw::EventType type, std::int64_t now_ms) {
  apigw::Event e;
  auto& c = e.request_context;
  c.route_key = std::move(route_key);
  c.event_type = type;
  c.connection_id = m.connection_id;
  c.request_id = core::new_connection_id();  // same alphabet and length as AWS's request ids
  c.request_time = core::clf_time(now_ms);
  c.request_time_epoch = now_ms;
  c.connected_at = m.connected_at;
  c.stage = config.stage;
  c.domain_name = m.peer.domain_name();
  c.api_id = config.api_id;
  c.identity.source_ip = m.peer.source_ip();
  c.identity.user_agent = m.peer.user_agent_string();
  if (m.authorizer) c.authorizer = m.authorizer.object();
  return e;
}

// API Gateway's headers and multiValueHeaders: the single-value map keeps a name's last value.
// Each name and value is copied once, into the multi-value map, and then moved into the other.
void add_header(apigw::Event& e, std::string name, std::string value) {
  (*e.multi_value_headers)[name].push_back(value);
  e.headers->insert_or_assign(std::move(name), std::move(value));
}

}  // namespace

apigw::Event connect_event(const Config& config, const ConnectionMeta& m, const Handshake& h,
                           std::int64_t now_ms) {
  return connect_event(config, m, Handshake(h), now_ms);
}

apigw::Event connect_event(const Config& config, const ConnectionMeta& m, Handshake&& h,
                           std::int64_t now_ms) {
  apigw::Event e = base_event(config, m, std::string(apigw::route_key::connect),
                              apigw::EventType::connect, now_ms);
  e.headers.emplace();
  e.multi_value_headers.emplace();
  for (auto& [name, value] : h.headers) add_header(e, std::move(name), std::move(value));
  // API Gateway adds these for the integration; a client cannot forge them.
  add_header(e, "X-Amzn-Trace-Id", core::new_trace_id(now_ms / 1000));
  auto set_header = [&e](const char* name, std::string value) {
    (*e.multi_value_headers)[name] = {value};
    e.headers->insert_or_assign(name, std::move(value));
  };
  set_header("X-Forwarded-For", std::string(m.peer.source_ip()));
  set_header("X-Forwarded-Port", std::to_string(h.local_port));
  set_header("X-Forwarded-Proto", std::move(h.forwarded_proto));

  auto url = boost::urls::parse_origin_form(h.target);
  if (url && url->has_query() && !url->params().empty()) {
    e.query_string_parameters.emplace();
    e.multi_value_query_string_parameters.emplace();
    for (const auto& p : url->params()) {
      std::string key(p.key);
      std::string value = p.has_value ? std::string(p.value) : std::string();
      (*e.multi_value_query_string_parameters)[key].push_back(value);
      e.query_string_parameters->insert_or_assign(std::move(key), std::move(value));
    }
  }
  return e;
}

apigw::Event message_event(const Config& config, const ConnectionMeta& m, std::string route_key,
                           std::string body, std::int64_t now_ms) {
  apigw::Event e = base_event(config, m, std::move(route_key), apigw::EventType::message, now_ms);
  e.request_context.message_id = core::new_connection_id();
  e.body = std::move(body);
  return e;
}

apigw::Event disconnect_event(const Config& config, const ConnectionMeta& m, int status_code,
                              std::string reason, std::int64_t now_ms) {
  apigw::Event e = base_event(config, m, std::string(apigw::route_key::disconnect),
                              apigw::EventType::disconnect, now_ms);
  e.request_context.disconnect_status_code = status_code;
  e.request_context.disconnect_reason = std::move(reason);
  // The small fixed map AWS sends on DISCONNECT (aws-contract.md §2.2).
  e.headers = apigw::HeaderMap{
      {"Host", std::string(m.peer.domain_name())},
      {"x-api-key", ""},
      {"X-Forwarded-For", ""},
      {"x-restapi", ""}};
  e.multi_value_headers = apigw::MultiValueMap{{"Host", {std::string(m.peer.domain_name())}},
                                               {"x-api-key", {""}},
                                               {"X-Forwarded-For", {""}},
                                               {"x-restapi", {""}}};
  return e;
}

}  // namespace gateway
