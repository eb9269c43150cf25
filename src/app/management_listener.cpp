#include "app/management_listener.hpp"

#include <stdexcept>

#include <boost/asio/ip/address.hpp>

namespace app {

void management_listener_from(const Options& o, gateway::Config& c) {
  if (o.has("management-public") && o.has("management-bind"))
    throw std::invalid_argument(
        "--management-public is the old name of --management-bind 0.0.0.0: give one of them");
  c.management_bind = o.has("management-public") ? "0.0.0.0" : o.get("management-bind");
  boost::system::error_code ec;
  boost::asio::ip::make_address(c.management_bind, ec);
  if (ec)
    throw std::invalid_argument("--management-bind must be an IP address, not '" + c.management_bind + "'");
  // A stable default an operator can firewall and scrape; with --port 0 (tests, several nodes
  // on one host) a free one too, printed in the banner.
  const long long next = c.port == 0 ? 0 : c.port + 1;
  if (next > 65535 && !o.has("management-port"))
    throw std::invalid_argument(
        "--port 65535 leaves no room for the default --management-port (--port + 1): give one");
  c.management_port = static_cast<unsigned short>(o.has("management-port") ? o.number("management-port") : next);
}

bool is_loopback_address(const std::string& address) {
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address(address, ec);
  return !ec && a.is_loopback();
}

std::string local_base(const std::string& scheme, const std::string& bind, unsigned short port) {
  // "::" listens dual-stack, so 127.0.0.1 reaches it as well.
  std::string host = bind.empty() || bind == "0.0.0.0" || bind == "::" ? "127.0.0.1" : bind;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return scheme + "://" + host + ":" + std::to_string(port);
}

std::string management_banner(const gateway::Config& c, unsigned short management_port,
                              const std::string& public_base) {
  // The management listener speaks what the public port speaks (TLS, or both with tls_optional).
  const bool tls_only = !c.tls_cert_file.empty() && !c.tls_optional;
  const std::string base = local_base(tls_only ? "https" : "http", c.management_bind, management_port);
  const std::string path = "/" + c.stage + "/@connections/{connectionId}";
  const bool keys = !c.management_keys.empty();
  // Without keys a non-loopback --management-bind does not start (security_options).
  const std::string where = is_loopback_address(c.management_bind) ? "" : "; listening on " + c.management_bind;
  std::string out = "  Management API:  " + base + path +
                    (keys ? " (SigV4, region " + c.region + where + ")" : " (direct loopback clients, unsigned)") +
                    "\n";
  out += "                   " + public_base + path + " (SigV4-signed only" +
         (keys ? "" : c.function_keys.empty() ? "; no --management-keys: every call refused"
                                              : ": the functions' per-run key") +
         ")\n";
  out += "  Metrics:         " + base + "/metrics\n";
  out += "  Inspector:       " + base + "/inspect" +
         (c.inspect_payloads ? "" : " (payloads hidden)") + "\n";
  return out;
}

}  // namespace app
