#pragma once
// Who may call the management API. On the public (WebSocket) port: only SigV4-signed requests
// (service execute-api) with a known key, whoever the peer, as API Gateway's IAM auth demands;
// a reverse proxy on this host makes every caller look like loopback, so the peer's address
// proves nothing there. On the management listener: direct loopback peers, unsigned unless
// management keys are configured (then everyone signs). Refusals are 403 with AWS's error type
// in x-amzn-ErrorType (docs/security.md, "The management API").
#include <optional>

#include "gateway/config.hpp"
#include "gateway/management_endpoint.hpp"

namespace gateway {

// The refusal for this request, or nothing when it may proceed. SigV4 is computed over the
// request target as received (undecoded path and query).
std::optional<HttpResponse> refuse_management(const Config& config, const HttpRequest& req,
                                              ManagementCaller caller);

}  // namespace gateway
