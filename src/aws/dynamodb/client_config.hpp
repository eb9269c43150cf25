#pragma once
// Where and as whom the DynamoDB client talks: endpoint, region, credentials, retries.
#include <optional>
#include <string>

#include "aws/dynamodb/retry_policy.hpp"
#include "aws/http/endpoint.hpp"
#include "aws/sigv4/credentials.hpp"
#include "core/error.hpp"

namespace aws::dynamodb {

struct ClientConfig {
  http::Endpoint endpoint;
  std::string region = "us-east-1";
  Credentials credentials;
  RetryOptions retry;
  bool verify_crc32 = true;  // x-amz-crc32 on responses, as botocore checks it

  // Region from AWS_REGION / AWS_DEFAULT_REGION (else us-east-1); credentials from the
  // environment; endpoint from `endpoint_override`, else AWS_ENDPOINT_URL_DYNAMODB /
  // AWS_ENDPOINT_URL, else https://dynamodb.<region>.amazonaws.com. With an endpoint override and
  // no credentials in the environment, placeholder ones are used: local servers (DynamoDB Local,
  // dynalite) check the header's shape, not the key. invalid_argument for a bad URL or missing
  // credentials against AWS itself.
  static core::result<ClientConfig> from_env(std::optional<std::string> endpoint_override = std::nullopt);

  // For tests and local servers: endpoint URL with placeholder credentials.
  static core::result<ClientConfig> local(const std::string& endpoint_url, std::string region = "us-east-1");
};

}  // namespace aws::dynamodb
