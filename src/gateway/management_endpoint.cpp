#include "gateway/management_endpoint.hpp"

#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "gateway/management_auth.hpp"

namespace gateway {
namespace http = boost::beast::http;

HttpResponse aws_error(unsigned version, unsigned status, std::string_view type,
                       std::string_view message) {
  HttpResponse res{static_cast<http::status>(status), version};
  res.set("x-amzn-ErrorType", type);
  res.set("x-amzn-RequestId", core::new_hex_id());
  res.set(http::field::content_type, "application/json");
  boost::json::object body;
  body["message"] = message;
  res.body() = boost::json::serialize(body);
  res.prepare_payload();
  return res;
}

HttpResponse json_ok(unsigned version, std::string body) {
  HttpResponse res{http::status::ok, version};
  res.set("x-amzn-RequestId", core::new_hex_id());
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

namespace {

HttpResponse ok(unsigned version, http::status status) {
  HttpResponse res{status, version};
  res.set("x-amzn-RequestId", core::new_hex_id());
  res.prepare_payload();
  return res;
}

HttpResponse gone(unsigned version) {
  return aws_error(version, 410, "GoneException", "Connection is gone");
}

}  // namespace

HttpResponse handle_management(Context& ctx, const HttpRequest& req,
                               const std::string& connection_id, ManagementCaller caller) {
  const unsigned v = req.version();
  if (auto refusal = refuse_management(ctx.config, req, caller)) return std::move(*refusal);
  auto& connections = ctx.connections;

  switch (req.method()) {
    case http::verb::post: {
      auto r = connections.post_one(connection_id, apigw::make_frame(req.body()));
      if (r) return ok(v, http::status::ok);
      if (r.error() == core::errc::payload_too_large)
        return aws_error(v, 413, "PayloadTooLargeException", "Request entity too large");
      if (r.error() == core::errc::limit_exceeded)
        return aws_error(v, 429, "LimitExceededException", "The client's send buffer is full");
      return gone(v);
    }
    case http::verb::get: {
      // This process's own probe (Context::probe_id): answered as a connection so that the
      // prober reads it with the ordinary GetConnection client.
      const bool probe = !ctx.probe_id.empty() && connection_id == ctx.probe_id;
      auto info = probe ? core::result<apigw::ConnectionInfo>(apigw::ConnectionInfo{
                              core::now_ms(), core::now_ms(), "", std::string("parley-node-probe")})
                        : connections.get(connection_id);
      if (!info) return gone(v);
      boost::json::object body;
      body["connectedAt"] = core::iso8601_ms(info->connected_at);
      boost::json::object identity;
      identity["sourceIp"] = info->source_ip;
      identity["userAgent"] = info->user_agent ? boost::json::value(*info->user_agent)
                                               : boost::json::value(nullptr);
      body["identity"] = std::move(identity);
      body["lastActiveAt"] = core::iso8601_ms(info->last_active_at);
      return json_ok(v, boost::json::serialize(body));
    }
    case http::verb::delete_: {
      if (!connections.remove(connection_id)) return gone(v);
      return ok(v, http::status::no_content);
    }
    default: {
      auto res = aws_error(v, 405, "MethodNotAllowedException",
                           "Use POST, GET or DELETE on @connections");
      res.set(http::field::allow, "POST, GET, DELETE");
      return res;
    }
  }
}

}  // namespace gateway
