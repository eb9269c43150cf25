#pragma once
// Route selection as API Gateway does it (aws-contract.md §1.2): evaluate the route selection
// expression (`$request.body.<path>`) on a text frame and match the value against the custom
// route keys; no match, or a body that is not JSON, selects $default.
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace gateway {

class RouteSelector {
 public:
  // Throws std::invalid_argument for an expression it cannot evaluate (a start-up error).
  RouteSelector(std::string_view expression, const std::vector<std::string>& route_keys);

  // The value of the expression for this body: "" when the body is not JSON or the property
  // is missing; numbers, booleans, objects and arrays are stringified as JSON.
  std::string evaluate(std::string_view body) const;

  // The route key for this body, or nullopt when nothing matches and there is no $default.
  std::optional<std::string> select(std::string_view body) const;

  bool has(std::string_view route_key) const { return routes_.count(std::string(route_key)) != 0; }

 private:
  std::vector<std::string> path_;  // property names below $request.body
  std::set<std::string> routes_;
};

}  // namespace gateway
