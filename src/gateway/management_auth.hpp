#pragma once
// Who may call the management API: loopback peers only unless it is public; and, when keys are
// configured, only SigV4-signed requests (service execute-api), as API Gateway's IAM auth
// demands. Refusals are 403 with AWS's error type in x-amzn-ErrorType.
#include <optional>

#include "gateway/config.hpp"
#include "gateway/management_endpoint.hpp"

namespace gateway {

// The refusal for this request, or nothing when it may proceed. `raw_target` is the request
// target as received (SigV4 is computed over the undecoded path and query).
std::optional<HttpResponse> refuse_management(const Config& config, const HttpRequest& req,
                                              bool peer_is_loopback);

}  // namespace gateway
