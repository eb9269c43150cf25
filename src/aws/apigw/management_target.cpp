#include "aws/apigw/management_target.hpp"

#include <cstdlib>

#include "aws/sigv4/canonical.hpp"
#include "aws/sigv4/credentials.hpp"

namespace connections {

std::string management_endpoint(const apigw::Event& e) {
  if (const char* v = std::getenv("PARLEY_MANAGEMENT_ENDPOINT"); v && *v) {
    std::string s(v);
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
  }
  return "https://" + e.request_context.domain_name + "/" + e.request_context.stage;
}

std::string signing_region(std::string_view domain_name) {
  if (auto r = aws::region_from_env()) return *r;
  constexpr std::string_view marker = ".execute-api.";
  constexpr std::string_view suffix = ".amazonaws.com";
  const auto at = domain_name.find(marker);
  if (at != std::string_view::npos && domain_name.ends_with(suffix)) {
    const auto begin = at + marker.size();
    const auto end = domain_name.size() - suffix.size();
    if (end > begin) return std::string(domain_name.substr(begin, end - begin));
  }
  return "us-east-1";
}

std::string connection_target(std::string_view base_path, std::string_view connection_id) {
  return std::string(base_path) + "/@connections/" + aws::sigv4::uri_encode(connection_id);
}

}  // namespace connections
