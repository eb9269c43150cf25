#pragma once
// `bootstrap` with _HANDLER=authorize: the $connect JWT authorizer as a Lambda REQUEST
// authorizer (docs/deploy.md). Keys from the environment: PARLEY_JWT_SECRET (HS256) and/or
// PARLEY_JWKS (the JWKS JSON text, e.g. a Cognito user pool's jwks.json), optional
// PARLEY_JWT_ISSUER and PARLEY_JWT_AUDIENCE.
#include "lambda/runtime_client.hpp"

namespace app {

// Runs the invocation loop; returns the process exit code. Bad configuration is posted to
// /runtime/init/error.
int run_authorize_function(lambda::RuntimeClient& client);

}  // namespace app
