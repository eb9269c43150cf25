#pragma once
// The @connections Management API (PostToConnection, GetConnection, DeleteConnection) as
// API Gateway puts it on the wire: rest-json, errors named in x-amzn-ErrorType.
#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "gateway/context.hpp"

namespace gateway {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Where a management call arrived, and from whom (gateway/management_auth.hpp says who may).
enum class ManagementCaller {
  public_port,    // the public (WebSocket) port: SigV4 always, whatever the peer's address
  local,          // the management listener, a direct loopback peer
  remote,         // the management listener, any other peer (or one that came through a proxy)
};

// Answers a request for /{stage}/@connections/{connectionId} (the id already percent-decoded).
HttpResponse handle_management(Context& ctx, const HttpRequest& req,
                               const std::string& connection_id, ManagementCaller caller);

// A 200 with a JSON body, as the management API answers.
HttpResponse json_ok(unsigned version, std::string body);

// An AWS rest-json error: status, x-amzn-ErrorType header and {"message": ...}.
HttpResponse aws_error(unsigned version, unsigned status, std::string_view type,
                       std::string_view message);

}  // namespace gateway
