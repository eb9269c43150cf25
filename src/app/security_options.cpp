#include "app/security_options.hpp"

#include <fstream>
#include <sstream>

#include "app/management_listener.hpp"
#include "app/serve_options.hpp"

#include "auth/jwt_authorizer.hpp"
#include "aws/sigv4/credentials.hpp"
#include "core/env.hpp"

namespace app {

OptionGroup security_option_group() {
  return {"Who gets in (docs/security.md)", {
      {.name = "auth", .value_name = "MODE",
       .help = "none (anonymous, for local development) or jwt; default: jwt when\n"
               "a secret or a JWKS is given, else none",
       .choices = {"none", "jwt"}},
      {.name = "jwt-secret-file", .value_name = "FILE",
       .help = "HS256 secret (the file's bytes, a final newline dropped; at least\n"
               "32 bytes); or the environment variable PARLEY_JWT_SECRET"},
      {.name = "jwks", .value_name = "FILE",
       .help = "RS256 public keys, a JSON Web Key Set (e.g. a Cognito user pool's\n"
               "jwks.json); tokens name their key with kid"},
      {.name = "jwt-issuer", .value_name = "ISS",
       .help = "accept only tokens with this iss (Cognito: https://cognito-idp.\n"
               "{region}.amazonaws.com/{userPoolId})"},
      {.name = "jwt-audience", .value_name = "AUD",
       .help = "accept only tokens with this aud, or client_id (Cognito access tokens)"},
      {.name = "guest-key-file", .value_name = "FILE",
       .help = "anonymous mode: the key signing guest tokens (at least 32 bytes; or\n"
               "PARLEY_GUEST_KEY); default DATA/guest.key, created 0600 on the first\n"
               "start. Nodes sharing a DynamoDB store must share it"},
      {.name = "guests", .value_name = "on|off",
       .help = "anonymous mode: issue signed guest tokens, a stable identity per\n"
               "browser (default {default}; `parley local` defaults to off: a user's API\n"
               "without an authorizer gets no identity on AWS either)",
       .fallback = "on", .choices = {"on", "off"}},
      {.name = "allowed-origin", .value_name = "ORIGIN",
       .help = "a browser Origin allowed to open the WebSocket (repeatable; default:\n"
               "any); handshakes without Origin (non-browser clients) pass",
       .repeatable = true,
       .check = [](const std::string& v) {
         return v.empty() ? std::string("needs an origin, e.g. https://chat.example.com") : std::string();
       }},
      {.name = "tls-cert", .value_name = "FILE",
       .help = "PEM certificate chain; with --tls-key the port serves only TLS:\nhttps:// and wss://"},
      {.name = "tls-key", .value_name = "FILE", .help = "the certificate's PEM private key"},
      {.name = "management-keys", .value_name = "FILE",
       .help = "lines ACCESS_KEY_ID:SECRET; the management API then demands SigV4\n"
               "(service execute-api, --region) from every caller, on the management\n"
               "listener too, and the first key signs node-to-node posts; or the\n"
               "environment PARLEY_MANAGEMENT_ACCESS_KEY_ID + PARLEY_MANAGEMENT_SECRET_ACCESS_KEY.\n"
               "The public port accepts only signed calls, keys or not. A non-loopback\n"
               "--management-bind needs keys."},
  }};
}

namespace {

std::string read_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("cannot read " + what + " " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

using core::env;

std::string drop_final_newline(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

std::map<std::string, std::string> management_keys(const Options& o) {
  std::map<std::string, std::string> keys;
  if (o.has("management-keys")) {
    const std::string path = o.get("management-keys");
    std::istringstream lines(read_file(path, "the management keys"));
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) {
      ++n;
      line = drop_final_newline(line + "\n");
      if (line.empty() || line[0] == '#') continue;
      const auto colon = line.find(':');
      if (colon == 0 || colon == std::string::npos || colon + 1 == line.size())
        throw std::invalid_argument(path + ":" + std::to_string(n) +
                                    ": expected ACCESS_KEY_ID:SECRET");
      keys[line.substr(0, colon)] = line.substr(colon + 1);
    }
    if (keys.empty()) throw std::invalid_argument(path + " holds no ACCESS_KEY_ID:SECRET line");
  }
  const std::string id = env("PARLEY_MANAGEMENT_ACCESS_KEY_ID");
  const std::string secret = env("PARLEY_MANAGEMENT_SECRET_ACCESS_KEY");
  if (id.empty() != secret.empty())
    throw std::invalid_argument(
        "set both PARLEY_MANAGEMENT_ACCESS_KEY_ID and PARLEY_MANAGEMENT_SECRET_ACCESS_KEY, or neither");
  if (!id.empty()) keys[id] = secret;
  return keys;
}

}  // namespace

void apply_security_options(const Options& o, gateway::Config& c) {
  // The authorizer.
  auth::VerifierConfig v;
  if (o.has("jwt-secret-file")) {
    v.hs256_secret = drop_final_newline(read_file(o.get("jwt-secret-file"), "the JWT secret"));
  } else {
    v.hs256_secret = env("PARLEY_JWT_SECRET");
  }
  // RFC 7518 §3.2: an HS256 key must be at least as long as the hash.
  if (!v.hs256_secret.empty() && v.hs256_secret.size() < 32)
    throw std::invalid_argument("the HS256 secret must be at least 32 bytes long");
  if (o.has("jwks")) {
    std::string why;
    auto set = auth::Jwks::load(o.get("jwks"), &why);
    if (!set) throw std::invalid_argument("--jwks " + o.get("jwks") + ": " + why);
    v.jwks = std::move(*set);
  }
  v.issuer = o.get("jwt-issuer");
  v.audience = o.get("jwt-audience");
  const bool has_keys = !v.hs256_secret.empty() || !v.jwks.empty();
  const std::string mode = o.has("auth") ? o.get("auth") : has_keys ? "jwt" : "none";
  if (mode == "jwt") {
    if (!has_keys)
      throw std::invalid_argument(
          "--auth jwt needs --jwt-secret-file (or PARLEY_JWT_SECRET) or --jwks");
    c.authorizer = std::make_shared<auth::JwtAuthorizer>(std::move(v));
  } else if (o.has("jwt-secret-file") || o.has("jwks") || o.has("jwt-issuer") || o.has("jwt-audience")) {
    throw std::invalid_argument("--auth none takes no --jwt-* or --jwks option");
  }

  c.allowed_origins = o.all("allowed-origin");

  c.tls_cert_file = o.get("tls-cert");
  c.tls_key_file = o.get("tls-key");
  if (c.tls_cert_file.empty() != c.tls_key_file.empty())
    throw std::invalid_argument("--tls-cert and --tls-key go together");

  c.management_keys = management_keys(o);
  c.region = o.get("region");
  // The management listener off loopback is reached by anyone on that network: SigV4 then.
  if (!is_loopback_address(c.management_bind) && c.management_keys.empty())
    throw std::invalid_argument(
        "--management-bind " + c.management_bind + " (or --management-public) needs --management-keys "
        "(or PARLEY_MANAGEMENT_ACCESS_KEY_ID and PARLEY_MANAGEMENT_SECRET_ACCESS_KEY): a management "
        "API off loopback demands SigV4");
}

std::string auth_mode(const gateway::Config& c) {
  if (!c.authorizer) return "none (anonymous; for local development)";  // before the guest key
  return c.authorizer->describe();
}

}  // namespace app
