#pragma once
// Who a connection is: requestContext.authorizer carries the principal — a signed-in user's
// token sub, or a guest's id from the guest token the gateway issued (docs/security.md) — and
// the display name. A connection without an authorizer (a deployment without one) is its own
// identity: "c-" + its connection id.
#include <optional>
#include <string>
#include <string_view>

#include "apigw/ws_event.hpp"
#include "store/store.hpp"

namespace handlers {

struct Identity {
  std::string user_id;      // principalId: the token's sub, or the guest id
  std::string name;         // the authorizer's "name" context key as sent (may be empty)
  bool guest = false;       // a guest identity: the client chooses its display name
  std::string guest_token;  // a guest's token to keep and present next time ("" if none)
};

// The identity the authorizer gave the event's connection; nothing without an authorizer.
std::optional<Identity> identity_of(const apigw::Event& e);

// Signed in with a token (not a guest): the name is the token's, `setname` is refused.
bool signed_in(const apigw::Event& e);

// The user id of a connection row: its user_id, else "c-" + its connection id.
std::string user_id_of(const store::Connection& c);

// A valid display name (names.hpp) made from a token's name claim: characters a name cannot
// hold become '_', spaces at either end go, at most 32 characters; "" when nothing is left.
std::string name_from_claim(std::string_view claim);

}  // namespace handlers
