#include "apigw/event_codec.hpp"

#include <boost/json.hpp>

namespace apigw {
namespace json = boost::json;

const char* to_string(EventType t) {
  switch (t) {
    case EventType::connect: return "CONNECT";
    case EventType::message: return "MESSAGE";
    case EventType::disconnect: return "DISCONNECT";
  }
  return "MESSAGE";
}

namespace {

json::object to_object(const HeaderMap& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

json::object to_object(const MultiValueMap& m) {
  json::object o;
  for (const auto& [k, vs] : m) {
    json::array a;
    for (const auto& v : vs) a.emplace_back(v);
    o[k] = std::move(a);
  }
  return o;
}

json::object context_to_json(const RequestContext& c) {
  json::object o;
  o["routeKey"] = c.route_key;
  o["eventType"] = to_string(c.event_type);
  if (c.message_id) o["messageId"] = *c.message_id;
  o["extendedRequestId"] = c.request_id;
  o["requestTime"] = c.request_time;
  o["messageDirection"] = "IN";
  if (c.disconnect_status_code) o["disconnectStatusCode"] = *c.disconnect_status_code;
  if (c.disconnect_reason) o["disconnectReason"] = *c.disconnect_reason;
  o["stage"] = c.stage;
  o["connectedAt"] = c.connected_at;
  o["requestTimeEpoch"] = c.request_time_epoch;
  json::object identity;
  identity["sourceIp"] = c.identity.source_ip;
  if (c.identity.user_agent) identity["userAgent"] = *c.identity.user_agent;
  o["identity"] = std::move(identity);
  o["requestId"] = c.request_id;
  o["domainName"] = c.domain_name;
  o["connectionId"] = c.connection_id;
  o["apiId"] = c.api_id;
  if (c.authorizer) o["authorizer"] = *c.authorizer;
  return o;
}

// Readers that fail softly: a wrong type is reported once at the end, not thrown.
struct Reader {
  bool ok = true;

  std::string str(const json::object& o, std::string_view key, bool required = true) {
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null()) {
      if (required) ok = false;
      return {};
    }
    if (!it->value().is_string()) {
      ok = false;
      return {};
    }
    return std::string(it->value().get_string());
  }

  std::optional<std::string> opt_str(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null()) return std::nullopt;
    if (!it->value().is_string()) {
      ok = false;
      return std::nullopt;
    }
    return std::string(it->value().get_string());
  }

  std::optional<std::int64_t> opt_int(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null()) return std::nullopt;
    boost::system::error_code ec;
    auto n = it->value().to_number<std::int64_t>(ec);
    if (ec) {
      ok = false;
      return std::nullopt;
    }
    return n;
  }

  std::optional<HeaderMap> opt_map(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null()) return std::nullopt;
    if (!it->value().is_object()) {
      ok = false;
      return std::nullopt;
    }
    HeaderMap m;
    for (const auto& kv : it->value().get_object()) {
      if (kv.value().is_string()) m[std::string(kv.key())] = std::string(kv.value().get_string());
    }
    return m;
  }

  std::optional<MultiValueMap> opt_multi(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null()) return std::nullopt;
    if (!it->value().is_object()) {
      ok = false;
      return std::nullopt;
    }
    MultiValueMap m;
    for (const auto& kv : it->value().get_object()) {
      auto& vs = m[std::string(kv.key())];
      if (!kv.value().is_array()) continue;
      for (const auto& v : kv.value().get_array())
        if (v.is_string()) vs.emplace_back(v.get_string());
    }
    return m;
  }
};

core::result<json::object> parse_object(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return core::errc::invalid_argument;
  return std::move(v.get_object());
}

}  // namespace

json::value to_json(const Event& e) {
  json::object o;
  if (e.headers) o["headers"] = to_object(*e.headers);
  if (e.multi_value_headers) o["multiValueHeaders"] = to_object(*e.multi_value_headers);
  if (e.query_string_parameters) o["queryStringParameters"] = to_object(*e.query_string_parameters);
  if (e.multi_value_query_string_parameters)
    o["multiValueQueryStringParameters"] = to_object(*e.multi_value_query_string_parameters);
  o["requestContext"] = context_to_json(e.request_context);
  if (e.body) o["body"] = *e.body;
  o["isBase64Encoded"] = e.is_base64_encoded;
  return o;
}

std::string encode(const Event& e) { return json::serialize(to_json(e)); }

core::result<Event> decode_event(std::string_view text) {
  auto parsed = parse_object(text);
  if (!parsed) return parsed.error();
  const json::object& o = *parsed;
  auto ctx_it = o.find("requestContext");
  if (ctx_it == o.end() || !ctx_it->value().is_object()) return core::errc::invalid_argument;
  const json::object& c = ctx_it->value().get_object();

  Reader r;
  Event e;
  RequestContext& rc = e.request_context;
  rc.route_key = r.str(c, "routeKey");
  const std::string type = r.str(c, "eventType");
  if (type == "CONNECT") rc.event_type = EventType::connect;
  else if (type == "DISCONNECT") rc.event_type = EventType::disconnect;
  else if (type == "MESSAGE") rc.event_type = EventType::message;
  else r.ok = false;
  rc.connection_id = r.str(c, "connectionId");
  rc.request_id = r.str(c, "requestId", false);
  rc.message_id = r.opt_str(c, "messageId");
  rc.request_time = r.str(c, "requestTime", false);
  rc.request_time_epoch = r.opt_int(c, "requestTimeEpoch").value_or(0);
  rc.connected_at = r.opt_int(c, "connectedAt").value_or(0);
  rc.stage = r.str(c, "stage", false);
  rc.domain_name = r.str(c, "domainName", false);
  rc.api_id = r.str(c, "apiId", false);
  if (auto it = c.find("identity"); it != c.end() && it->value().is_object()) {
    rc.identity.source_ip = r.str(it->value().get_object(), "sourceIp", false);
    rc.identity.user_agent = r.opt_str(it->value().get_object(), "userAgent");
  }
  if (auto code = r.opt_int(c, "disconnectStatusCode")) rc.disconnect_status_code = static_cast<int>(*code);
  rc.disconnect_reason = r.opt_str(c, "disconnectReason");
  if (auto it = c.find("authorizer"); it != c.end() && it->value().is_object())
    rc.authorizer = it->value().get_object();

  e.headers = r.opt_map(o, "headers");
  e.multi_value_headers = r.opt_multi(o, "multiValueHeaders");
  e.query_string_parameters = r.opt_map(o, "queryStringParameters");
  e.multi_value_query_string_parameters = r.opt_multi(o, "multiValueQueryStringParameters");
  e.body = r.opt_str(o, "body");
  if (auto it = o.find("isBase64Encoded"); it != o.end() && it->value().is_bool())
    e.is_base64_encoded = it->value().get_bool();
  if (!r.ok) return core::errc::invalid_argument;
  return e;
}

json::value to_json(const Response& r) {
  json::object o;
  o["statusCode"] = r.status_code;
  if (!r.headers.empty()) o["headers"] = to_object(r.headers);
  if (r.body) o["body"] = *r.body;
  return o;
}

std::string encode(const Response& r) { return json::serialize(to_json(r)); }

core::result<Response> decode_response(std::string_view text) {
  auto parsed = parse_object(text);
  if (!parsed) return parsed.error();
  const json::object& o = *parsed;
  Reader r;
  Response out;
  auto code = r.opt_int(o, "statusCode");
  if (!code || !r.ok) return core::errc::invalid_argument;
  out.status_code = static_cast<int>(*code);
  if (auto h = r.opt_map(o, "headers")) out.headers = std::move(*h);
  out.body = r.opt_str(o, "body");
  if (!r.ok) return core::errc::invalid_argument;
  return out;
}

}  // namespace apigw
