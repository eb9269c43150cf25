#include "aws/dynamodb/client_config.hpp"

#include <cstdlib>

namespace aws::dynamodb {
namespace {

// DynamoDB Local wants an alphanumeric access key; any value passes dynalite.
const Credentials placeholder{"parleylocal", "parleylocal", ""};

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

}  // namespace

core::result<ClientConfig> ClientConfig::from_env(std::optional<std::string> endpoint_override) {
  ClientConfig c;
  c.region = region_from_env().value_or("us-east-1");
  if (!endpoint_override) endpoint_override = env("AWS_ENDPOINT_URL_DYNAMODB");
  if (!endpoint_override) endpoint_override = env("AWS_ENDPOINT_URL");
  const std::string url = endpoint_override.value_or("https://dynamodb." + c.region + ".amazonaws.com");
  auto ep = http::parse_endpoint(url);
  if (!ep) return ep.error();
  c.endpoint = *ep;
  if (auto creds = credentials_from_env()) {
    c.credentials = *creds;
  } else if (endpoint_override) {
    c.credentials = placeholder;
  } else {
    return core::errc::invalid_argument;
  }
  return c;
}

core::result<ClientConfig> ClientConfig::local(const std::string& endpoint_url, std::string region) {
  auto ep = http::parse_endpoint(endpoint_url);
  if (!ep) return ep.error();
  ClientConfig c;
  c.endpoint = *ep;
  c.region = std::move(region);
  c.credentials = placeholder;
  return c;
}

}  // namespace aws::dynamodb
