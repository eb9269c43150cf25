#include "app/inspect_rooms.hpp"

#include <boost/json.hpp>

namespace app {

std::function<boost::json::object(const std::string&)> describe_from_store(store::Memberships& store) {
  return [&store](const std::string& connection_id) {
    boost::json::object o;
    auto members = store.memberships(connection_id);
    if (!members) return o;
    boost::json::array rooms;
    for (const auto& m : *members) {
      rooms.emplace_back(m.room);
      if (!o.contains("name") && !m.name.empty()) o["name"] = m.name;
    }
    o["rooms"] = std::move(rooms);
    return o;
  };
}

}  // namespace app
