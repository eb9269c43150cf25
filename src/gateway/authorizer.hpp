#pragma once
// The $connect authorizer, as API Gateway runs one before the $connect route (aws-contract.md
// §1.1, §2.4): given the upgrade request it allows the connection with a principal and a context
// (which then reaches every event of the connection in requestContext.authorizer), or refuses it
// — 401 when the identity source is missing, 403 when the authorizer denies. Adapters live
// outside the gateway (auth/jwt_authorizer for JSON Web Tokens, a template's Lambda REQUEST
// authorizer function in integration/lambda_process/function_authorizer).
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/event_builder.hpp"

namespace gateway {

struct AuthDecision {
  // error: the authorizer itself failed (a Lambda authorizer that crashed, timed out or
  // answered no policy): API Gateway answers 500.
  enum class Outcome { allow, unauthorized, forbidden, error };
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
  // An authorizer that runs elsewhere (a Lambda function) answers later instead: when this is
  // true the gateway calls authorize_async, with the $connect event the authorizer's REQUEST
  // event is made of, and waits for `done` (called once, on any thread) without blocking.
  virtual bool asynchronous() const { return false; }
  virtual void authorize_async(const Handshake& handshake, const apigw::Event& connect_event,
                               std::function<void(AuthDecision)> done) const {
    (void)connect_event;
    done(authorize(handshake));
  }
  // One line for the startup banner, e.g. "jwt (HS256)".
  virtual std::string describe() const = 0;
};

// The requestContext.authorizer object for an allowed connection: principalId,
// integrationLatency (ms) and each context key.
boost::json::object authorizer_context(const AuthDecision& d, std::int64_t latency_ms);

}  // namespace gateway
