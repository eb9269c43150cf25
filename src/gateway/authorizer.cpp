#include "gateway/authorizer.hpp"

namespace gateway {

boost::json::object authorizer_context(const AuthDecision& d, std::int64_t latency_ms) {
  boost::json::object o;
  for (const auto& [key, value] : d.context) o[key] = value;
  // Set last: a context key cannot override what API Gateway itself reports.
  o["principalId"] = d.principal_id;
  o["integrationLatency"] = latency_ms;
  return o;
}

}  // namespace gateway
