#include "aws/http/endpoint.hpp"

#include <boost/url/parse.hpp>
#include <charconv>


namespace aws::http {

std::string Endpoint::host_header() const {
  const bool default_port = (tls && port == 443) || (!tls && port == 80);
  const bool v6 = host.find(':') != std::string::npos;
  std::string h = v6 ? "[" + host + "]" : host;
  return default_port ? h : h + ":" + std::to_string(port);
}

std::string Endpoint::pool_key() const {
  return (tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

core::result<Endpoint> parse_endpoint(std::string_view url) {
  auto u = boost::urls::parse_uri(url);
  if (!u || !u->has_authority() || u->host().empty()) return core::errc::invalid_argument;
  Endpoint ep;
  if (u->scheme() == "https") {
    ep.tls = true, ep.port = 443;
  } else if (u->scheme() == "http") {
    ep.tls = false, ep.port = 80;
  } else {
    return core::errc::invalid_argument;
  }
  // host_address() strips the brackets of an IPv6 literal, which resolvers do not want.
  ep.host = std::string(u->host_address());
  if (u->has_port()) {
    auto p = u->port();
    unsigned v = 0;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc{} || ptr != p.data() + p.size() || v == 0 || v > 65535) return core::errc::invalid_argument;
    ep.port = static_cast<std::uint16_t>(v);
  }
  ep.base_path = std::string(u->encoded_path());
  while (!ep.base_path.empty() && ep.base_path.back() == '/') ep.base_path.pop_back();
  return ep;
}

}  // namespace aws::http
