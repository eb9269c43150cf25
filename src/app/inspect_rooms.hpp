#pragma once
// The inspector's Connections table learns a connection's name and rooms from the store (the
// gateway knows sockets, not rooms): one memberships read per connection shown, once a second
// while a page is open. Only for a store on this machine (SQLite); on DynamoDB it would be a
// network read per connection per second, so the table shows no rooms there.
#include <functional>
#include <string>

#include <boost/json/object.hpp>

#include "store/store.hpp"

namespace app {

// {"name": ..., "rooms": [...]} of a connection (empty when the store does not know it).
std::function<boost::json::object(const std::string&)> describe_from_store(store::Memberships& store);

}  // namespace app
