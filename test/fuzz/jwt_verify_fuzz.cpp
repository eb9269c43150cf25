// libFuzzer target: JSON Web Token verification (auth/jwt, behind the $connect authorizer and
// the guest tokens), which reads untrusted input before anyone is authenticated. The first byte
// picks how the rest is used:
//   even: the bytes are the token as a client sends it (framing, base64url, JSON, alg, kid);
//   odd:  the bytes are split at the first NUL into a header and a payload (any bytes), which
//         are base64url-encoded and signed with the HS256 secret, so that the claim checks
//         behind a good signature are reached too.
// Invariants: no crash, no exception; an accepted token names HS256 or RS256 and has an exp
// in the future (60 s of leeway); the same token with its signature changed is refused; a guest
// token the guest authorizer issues is accepted by it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/base64.hpp"
#include "auth/guest_authorizer.hpp"
#include "auth/jwt.hpp"
#include "test_keys.hpp"

namespace {

const std::string secret = "fuzzing-secret-of-at-least-32-bytes!";

const auth::Verifier& verifier() {
  static const auth::Verifier v = [] {
    auth::VerifierConfig c;
    c.hs256_secret = secret;
    // An RSA key: RS256 tokens reach the kid lookup and OpenSSL's verify.
    static const testkeys::RsaKey rsa;
    auto set = auth::Jwks::parse(testkeys::jwks({rsa.jwk("k1")}));
    if (!set) std::abort();
    c.jwks = std::move(*set);
    return auth::Verifier(std::move(c));
  }();
  return v;
}

void check(std::string token) {
  const auto now = std::chrono::system_clock::now();
  auto r = verifier().verify(token, now);
  if (!r) return;
  if (r->alg != "HS256" && r->alg != "RS256") std::abort();
  const auto t = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (!r->exp || t - 60 >= *r->exp) std::abort();
  // The signature's first character changed: never accepted (its last one may only carry
  // padding bits, which strict base64url refuses, so the first is the one to change).
  const auto dot = token.rfind('.');
  if (dot == std::string::npos || dot + 1 >= token.size()) std::abort();
  token[dot + 1] = token[dot + 1] == 'A' ? 'B' : 'A';
  if (verifier().verify(token, now)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  if ((data[0] & 1) == 0) {
    check(std::string(rest));
  } else {
    const auto nul = rest.find('\0');
    const std::string_view header = rest.substr(0, nul);
    const std::string_view payload = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
    const std::string input = core::base64url_encode(header) + "." + core::base64url_encode(payload);
    check(input + "." + core::base64url_encode(testkeys::hmac(secret, input)));
  }
  if (data[0] == 0xff) {
    static const auth::GuestAuthorizer guests(secret);
    gateway::Handshake h;
    h.target = "/dev?guest=" + guests.issue("g_" + core::base64url_encode(rest.substr(0, 16)));
    if (guests.authorize(h).outcome != gateway::AuthDecision::Outcome::allow) std::abort();
  }
  return 0;
}
