#include "aws/sigv4/credentials.hpp"

#include "core/env.hpp"

namespace aws {

using core::env;

core::result<Credentials> credentials_from_env() {
  Credentials c{env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"), env("AWS_SESSION_TOKEN")};
  if (c.access_key_id.empty() || c.secret_access_key.empty()) return core::errc::invalid_argument;
  return c;
}

std::optional<std::string> region_from_env() {
  // Lambda sets AWS_REGION; the CLI and SDKs also read AWS_DEFAULT_REGION.
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    auto v = env(name);
    if (!v.empty()) return v;
  }
  return std::nullopt;
}

}  // namespace aws
