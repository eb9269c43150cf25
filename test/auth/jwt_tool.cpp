// The C++ half of the JWT cross-check (jwt_crosscheck.mjs): reads one JSON object per line on
// stdin — {"token", "now" (epoch s), "secret"?, "jwks"? (a JWKS document), "issuer"?,
// "audience"?} — verifies the token with auth::Verifier configured that way, and prints one
// line per case: {"ok": true, "sub", "alg"} or {"ok": false, "error": <the jwt_errc message>}.
#include <chrono>
#include <iostream>
#include <string>

#include <boost/json.hpp>

#include "auth/jwt.hpp"

namespace json = boost::json;

namespace {

std::string get(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    const json::object in = json::parse(line).as_object();
    auth::VerifierConfig c;
    c.hs256_secret = get(in, "secret");
    if (const auto jwks = get(in, "jwks"); !jwks.empty()) {
      auto set = auth::Jwks::parse(jwks);
      if (!set) {
        std::cerr << "jwt_tool: bad jwks\n";
        return 2;
      }
      c.jwks = std::move(*set);
    }
    c.issuer = get(in, "issuer");
    c.audience = get(in, "audience");
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(in.at("now").to_number<std::int64_t>()));
    const auto r = auth::Verifier(std::move(c)).verify(get(in, "token"), now);
    json::object out;
    out["ok"] = static_cast<bool>(r);
    if (r) {
      out["sub"] = r->sub;
      out["alg"] = r->alg;
    } else {
      out["error"] = r.error().message();
    }
    std::cout << json::serialize(out) << '\n';
  }
  return 0;
}
