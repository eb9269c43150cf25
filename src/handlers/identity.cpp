#include "handlers/identity.hpp"

#include <cctype>

#include "handlers/names.hpp"

namespace handlers {
namespace {

std::string string_value(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  return std::string(it->value().get_string());
}

}  // namespace

std::optional<Identity> identity_of(const apigw::Event& e) {
  const auto& a = e.request_context.authorizer;
  if (!a) return std::nullopt;
  Identity id{string_value(*a, "principalId"), string_value(*a, "name"),
              string_value(*a, "guest") == "true", string_value(*a, "guestToken")};
  if (id.user_id.empty()) return std::nullopt;
  return id;
}

bool signed_in(const apigw::Event& e) {
  const auto id = identity_of(e);
  return id && !id->guest;
}

std::string user_id_of(const store::Connection& c) {
  return c.user_id.empty() ? "c-" + c.connection_id : c.user_id;
}

std::string name_from_claim(std::string_view claim) {
  std::string out;
  for (char c : claim) {
    if (out.size() == max_name_length) break;
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == '_' || c == '-' || c == '.';
    out.push_back(ok ? c : '_');
  }
  while (!out.empty() && out.front() == ' ') out.erase(out.begin());
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return valid_name(out) ? out : std::string();
}

}  // namespace handlers
