#pragma once
// Where a handler's @connections calls go (aws-contract.md §3.1): built from the event's
// requestContext as AWS's own example does, or overridden for a local gateway.
#include <string>
#include <string_view>

#include "apigw/ws_event.hpp"

namespace connections {

// PARLEY_MANAGEMENT_ENDPOINT when set and non-empty (local: "http://127.0.0.1:PORT/dev"),
// else "https://{requestContext.domainName}/{requestContext.stage}".
std::string management_endpoint(const apigw::Event& e);

// The SigV4 region: AWS_REGION / AWS_DEFAULT_REGION, else the region in a domain name of the
// form {api-id}.execute-api.{region}.amazonaws.com, else us-east-1.
std::string signing_region(std::string_view domain_name);

// "{base_path}/@connections/{id}" with the id percent-encoded ('=' → %3D) as the SDKs send it.
std::string connection_target(std::string_view base_path, std::string_view connection_id);

}  // namespace connections
