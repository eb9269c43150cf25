#pragma once
// The $connect authorizer, as API Gateway runs one before the $connect route (aws-contract.md
// §1.1, §2.4): given the upgrade request it allows the connection with a principal and a context
// (which then reaches every event of the connection in requestContext.authorizer), or refuses it
// — 401 when the identity source is missing, 403 when the authorizer denies. Adapters live
// outside the gateway (auth/jwt_authorizer for JSON Web Tokens).
#include <string>
#include <utility>
#include <vector>

#include "gateway/event_builder.hpp"

namespace gateway {

struct AuthDecision {
  enum class Outcome { allow, unauthorized, forbidden };
  Outcome outcome = Outcome::unauthorized;
  std::string principal_id;
  // The Lambda authorizer's `context`: string values, as AWS hands them to integrations.
  std::vector<std::pair<std::string, std::string>> context;
  std::string reason;  // why it refused, for the log only (never sent to the client)
};

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  // Thread-safe; called on a socket thread, so it must not block.
  virtual AuthDecision authorize(const Handshake& handshake) const = 0;
  // One line for the startup banner, e.g. "jwt (HS256)".
  virtual std::string describe() const = 0;
};

// The requestContext.authorizer object for an allowed connection: principalId,
// integrationLatency (ms) and each context key.
boost::json::object authorizer_context(const AuthDecision& d, std::int64_t latency_ms);

}  // namespace gateway
