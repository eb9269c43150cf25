#pragma once
// AWS credentials and region as Lambda hands them to a function: through the environment.
#include <optional>
#include <string>

#include "core/error.hpp"

namespace aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
};

// AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN); invalid_argument when either
// of the first two is missing or empty.
core::result<Credentials> credentials_from_env();

// AWS_REGION, else AWS_DEFAULT_REGION, else nothing (callers pick their own fallback).
std::optional<std::string> region_from_env();

}  // namespace aws
