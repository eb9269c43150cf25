#include "app/authorize_function.hpp"

#include <iostream>

#include "auth/jwt_authorizer.hpp"
#include "auth/lambda_authorizer.hpp"
#include "core/env.hpp"
#include "core/log.hpp"
#include "lambda/run_handler.hpp"

namespace app {
namespace {

using core::env;

}  // namespace

int run_authorize_function(lambda::RuntimeClient& client) {
  auth::VerifierConfig config;
  config.hs256_secret = env("PARLEY_JWT_SECRET");
  config.issuer = env("PARLEY_JWT_ISSUER");
  config.audience = env("PARLEY_JWT_AUDIENCE");
  std::string why;
  if (const std::string jwks = env("PARLEY_JWKS"); !jwks.empty()) {
    auto set = auth::Jwks::parse(jwks, &why);
    if (!set) {
      client.post_init_error("PARLEY_JWKS: " + why, "Runtime.BadConfiguration");
      return 1;
    }
    config.jwks = std::move(*set);
  }
  if (config.hs256_secret.empty() && config.jwks.empty()) why = "set PARLEY_JWT_SECRET or PARLEY_JWKS";
  else if (!config.hs256_secret.empty() && config.hs256_secret.size() < 32) why = "PARLEY_JWT_SECRET must be at least 32 bytes";
  if (!why.empty()) {
    client.post_init_error(why, "Runtime.BadConfiguration");
    return 1;
  }
  const auth::JwtAuthorizer authorizer(std::move(config));
  core::log::info("bootstrap ready", {{"handler", "authorize"}, {"mode", authorizer.describe()}});
  const auto stopped = lambda::run_handler(client, [&](const lambda::Invocation& inv) {
    auto r = auth::lambda_authorize(authorizer, inv.payload);
    // API Gateway's convention: an error "Unauthorized" from the authorizer answers 401.
    if (r.unauthorized) return lambda::InvocationResponse::failure("Unauthorized", "Unauthorized");
    return lambda::InvocationResponse::success(std::move(r.response));
  });
  core::log::error("runtime loop stopped", {{"reason", lambda::to_string(stopped)}});
  std::cout.flush();
  return stopped == lambda::Stopped::max_invocations ? 0 : 1;
}

}  // namespace app
