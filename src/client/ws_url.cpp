#include "client/ws_url.hpp"

#include <stdexcept>

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>

namespace client {
namespace urls = boost::urls;

WsUrl WsUrl::parse(std::string_view text) {
  auto parsed = urls::parse_uri(text);
  if (!parsed) throw std::invalid_argument("not a URL: '" + std::string(text) + "'");
  const urls::url_view& u = *parsed;
  WsUrl w;
  if (u.scheme() == "ws") {
    w.tls = false;
  } else if (u.scheme() == "wss") {
    w.tls = true;
  } else {
    throw std::invalid_argument("the URL must start with ws:// or wss://, not '" +
                                std::string(text) + "'");
  }
  if (!u.has_authority() || u.encoded_host().empty())
    throw std::invalid_argument("the URL has no host: '" + std::string(text) + "'");
  if (u.has_userinfo()) throw std::invalid_argument("user:password@ in the URL is not supported");
  if (u.has_fragment()) throw std::invalid_argument("a #fragment is not allowed in a WebSocket URL");
  // Brackets belong in the Host header but not in resolve() or SNI.
  w.host = u.host_type() == urls::host_type::ipv6 ? u.host_ipv6_address().to_string()
                                                   : std::string(u.host());
  w.port = u.has_port() ? std::string(u.port()) : (w.tls ? "443" : "80");
  w.authority = std::string(u.encoded_host_and_port());
  w.target = std::string(u.encoded_target());
  if (w.target.empty() || w.target.front() != '/') w.target = std::string(1, '/').append(w.target);
  return w;
}

WsUrl WsUrl::with_query(const std::vector<std::pair<std::string, std::string>>& params) const {
  // Rebuild through Boost.URL so that every value is percent-encoded exactly once.
  const std::string whole = text();  // the view below points into it
  auto parsed = urls::parse_uri(whole);
  if (!parsed) throw std::invalid_argument("bad URL: " + whole);
  urls::url u(*parsed);
  // Only unreserved characters stay as they are: a "+" left alone reads as a space on servers
  // that decode forms (Boost.URL, API Gateway), and "&", "=" would split the parameter.
  for (const auto& [key, value] : params)
    u.encoded_params().set(urls::encode(key, urls::unreserved_chars),
                           urls::encode(value, urls::unreserved_chars));
  WsUrl w = *this;
  w.target = std::string(u.encoded_target());
  if (w.target.empty() || w.target.front() != '/') w.target = std::string(1, '/').append(w.target);
  return w;
}

std::string WsUrl::text() const { return (tls ? "wss://" : "ws://") + authority + target; }

}  // namespace client
