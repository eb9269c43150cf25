#include "app/lambda_env.hpp"

#include <array>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "core/env.hpp"
#include "store/sqlite/sqlite_store.hpp"
#ifdef PARLEY_HAS_DYNAMO
#include "aws/dynamodb/client_config.hpp"
#include "store/dynamodb/dynamo_store.hpp"
#endif

namespace app {
namespace {

using core::env;

}  // namespace

std::optional<std::string> route_key_for_handler(std::string_view handler) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> names{{
      {"connect", "$connect"},
      {"disconnect", "$disconnect"},
      {"default", "$default"},
      {"sendmessage", "sendmessage"},
      {"join", "join"},
      {"leave", "leave"},
      {"setname", "setname"},
      {"history", "history"},
      {"who", "who"},
      {"dm", "dm"},
      {"hello", "hello"},
      {"ping", "ping"},
  }};
  for (const auto& [name, key] : names)
    if (name == handler) return std::string(key);
  return std::nullopt;
}

core::result<std::unique_ptr<store::Store>> open_store_from_env(std::string& why) {
  if (auto file = env("PARLEY_SQLITE_FILE"); !file.empty()) {
    auto s = store::open_sqlite(file);
    if (!s) why = "cannot open the SQLite store " + file + ": " + s.error().message();
    return s;
  }
#ifdef PARLEY_HAS_DYNAMO
  std::optional<std::string> endpoint;
  if (auto e = env("DYNAMODB_ENDPOINT"); !e.empty()) endpoint = e;
  auto config = aws::dynamodb::ClientConfig::from_env(endpoint);
  if (!config) {
    why = "cannot configure the DynamoDB client (endpoint, region or credentials): " +
          config.error().message();
    return config.error();
  }
  return std::unique_ptr<store::Store>(
      store::open_dynamodb(std::move(*config), store::DynamoTables::from_env()));
#else
  why = "this bootstrap was built without the DynamoDB store; set PARLEY_SQLITE_FILE";
  return core::make_error_code(core::errc::store_unavailable);
#endif
}

void use_system_ca_bundle() {
  if (std::getenv("SSL_CERT_FILE") || std::getenv("SSL_CERT_DIR")) return;
  namespace fs = std::filesystem;
  std::error_code ec;
  // Debian's own locations first: when they exist, OpenSSL's defaults already work.
  if (fs::exists("/usr/lib/ssl/cert.pem", ec) || fs::exists("/usr/lib/ssl/certs", ec)) return;
  for (const char* bundle : {"/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/certs/ca-bundle.crt",
                             "/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cert.pem"}) {
    if (fs::exists(bundle, ec)) {
      ::setenv("SSL_CERT_FILE", bundle, 1);
      return;
    }
  }
}

}  // namespace app
