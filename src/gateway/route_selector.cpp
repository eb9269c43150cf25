#include "gateway/route_selector.hpp"

#include <stdexcept>

#include <boost/json.hpp>

#include "apigw/route_key.hpp"

namespace gateway {
namespace {

constexpr std::string_view body_prefix = "$request.body.";

}  // namespace

RouteSelector::RouteSelector(std::string_view expression,
                             const std::vector<std::string>& route_keys)
    : routes_(route_keys.begin(), route_keys.end()) {
  std::string_view e = expression;
  // ${request.body.action} is the same expression in its braced form.
  std::string unbraced;
  if (e.size() > 3 && e.substr(0, 2) == "${" && e.back() == '}') {
    unbraced = "$" + std::string(e.substr(2, e.size() - 3));
    e = unbraced;
  }
  if (e.substr(0, body_prefix.size()) != body_prefix)
    throw std::invalid_argument("route selection expression must be $request.body.<path>: " +
                                std::string(expression));
  std::string_view rest = e.substr(body_prefix.size());
  while (!rest.empty()) {
    auto dot = rest.find('.');
    std::string_view part = rest.substr(0, dot);
    if (part.empty())
      throw std::invalid_argument("empty property in route selection expression: " +
                                  std::string(expression));
    path_.emplace_back(part);
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  if (path_.empty())
    throw std::invalid_argument("route selection expression has no property: " +
                                std::string(expression));
}

std::string RouteSelector::evaluate(std::string_view body) const {
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 64;
  boost::json::value v = boost::json::parse(body, ec, {}, opts);
  if (ec) return {};
  const boost::json::value* cur = &v;
  for (const auto& name : path_) {
    if (!cur->is_object()) return {};
    auto it = cur->get_object().find(name);
    if (it == cur->get_object().end()) return {};
    cur = &it->value();
  }
  if (cur->is_string()) return std::string(cur->get_string());
  if (cur->is_null()) return {};
  return boost::json::serialize(*cur);
}

std::optional<std::string> RouteSelector::select(std::string_view body) const {
  std::string value = evaluate(body);
  // Custom keys never start with '$': a body cannot select $connect or $disconnect.
  if (!value.empty() && !apigw::route_key::is_reserved(value) && routes_.count(value))
    return value;
  if (routes_.count(std::string(apigw::route_key::default_)))
    return std::string(apigw::route_key::default_);
  return std::nullopt;
}

}  // namespace gateway
