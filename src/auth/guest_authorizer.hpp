#pragma once
// Guests: the $connect authorizer of anonymous mode. Everyone gets a stable identity without
// signing in: a connection without a guest token gets a new guest id and a token naming it (an
// HS256 JWT, iss "parley-guest", signed with the server's guest key), which the client keeps
// and presents next time in the `guest` query parameter. A token that does not verify —
// tampered, expired, signed with another key — is refused with 403, as a bad JWT is: nobody
// can become another guest, and a guest who loses the token is simply a new guest.
// docs/security.md, "Guests".
#include <chrono>
#include <string>

#include "auth/jwt.hpp"
#include "gateway/authorizer.hpp"

namespace auth {

inline constexpr std::string_view guest_issuer = "parley-guest";
// A token is good for this long after it was issued; each connect issues a fresh one, so a
// guest who comes back within that time keeps the identity for good.
inline constexpr std::chrono::hours guest_token_lifetime{24 * 365};

// An HS256 JWS compact token over `payload` (RFC 7515): the one signer Parley needs.
std::string sign_hs256(const boost::json::object& payload, std::string_view secret);

// "g_" + 22 base64url characters (128 random bits).
std::string new_guest_id();

class GuestAuthorizer final : public gateway::Authorizer {
 public:
  // `key`: at least 32 bytes (RFC 7518 §3.2), shared by every node of a cluster.
  explicit GuestAuthorizer(std::string key);
  gateway::AuthDecision authorize(const gateway::Handshake& handshake) const override;
  std::string describe() const override;

  // A token for `guest_id`, issued at `now`.
  std::string issue(const std::string& guest_id,
                    std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

 private:
  std::string key_;
  Verifier verifier_;
};

// The `guest` query parameter of a handshake (percent-decoded); empty when absent.
std::string guest_token_of(const gateway::Handshake& handshake);

}  // namespace auth
