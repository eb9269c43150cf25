#pragma once
// Who a connection is, when $connect had an authorizer: requestContext.authorizer carries the
// principal (the token's sub) and the display name (docs/security.md). Anonymous connections
// have none, and choose their names.
#include <optional>
#include <string>
#include <string_view>

#include "apigw/ws_event.hpp"

namespace handlers {

struct Identity {
  std::string user_id;  // principalId: the token's sub
  std::string name;     // the authorizer's "name" context key as sent (may be empty)
};

// The authenticated identity of the event's connection; nothing for an anonymous one.
std::optional<Identity> identity_of(const apigw::Event& e);

// A valid display name (names.hpp) made from a token's name claim: characters a name cannot
// hold become '_', spaces at either end go, at most 32 characters; "" when nothing is left.
std::string name_from_claim(std::string_view claim);

}  // namespace handlers
