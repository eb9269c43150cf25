#pragma once
// `parley serve`'s management listener (docs/security.md, "The management API"): where it
// listens (--management-port, --management-bind, the old --management-public) and how the
// banner and the functions name it. The public port answers @connections SigV4-signed only;
// this listener answers direct loopback peers unsigned (unless --management-keys), /metrics
// and /healthz.
#include <string>

#include "app/options.hpp"
#include "gateway/config.hpp"

namespace app {

// Fills c.management_bind and c.management_port (default --port + 1; a free one with --port 0,
// as tests and several nodes on one host run). Throws std::invalid_argument for a bad address,
// --management-public given with --management-bind, or no room for the default port.
void management_listener_from(const Options& o, gateway::Config& c);

// Whether `address` is a loopback address (127.0.0.0/8, ::1); false for anything unparsable.
bool is_loopback_address(const std::string& address);

// "http://127.0.0.1:8081": how a client on this host reaches a listener bound to `bind`
// (a wildcard address is reached over loopback; an IPv6 address goes in brackets).
std::string local_base(const std::string& scheme, const std::string& bind, unsigned short port);

// The banner's "Management API:" and "Metrics:" lines, each ending in '\n'. `public_base` is
// the public port's "http://host:port".
std::string management_banner(const gateway::Config& c, unsigned short management_port,
                              const std::string& public_base);

}  // namespace app
