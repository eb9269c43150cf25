#pragma once
// Every limit and timeout of the gateway, each defaulting to what AWS API Gateway does
// (aws-contract.md §4).
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace gateway {

class Authorizer;

struct Config {
  std::string bind_address = "0.0.0.0";
  unsigned short port = 8080;
  std::string stage = "dev";
  unsigned threads = 0;  // socket threads; 0 = one per core

  std::string api_id;       // empty: a random 10-character id per start
  std::string domain_name;  // requestContext.domainName; empty: the handshake's Host header
  std::string route_selection_expression = "$request.body.action";
  // Two-way routes (a $default route response): a successful integration's body is sent back
  // to the caller as a frame. Every other route is one-way, API Gateway's default.
  std::set<std::string> two_way_routes;

  std::size_t max_frame_bytes = 32768;     // one client frame larger: close 1009
  std::size_t max_message_bytes = 131072;  // larger: close 1009
  std::size_t max_post_bytes = 131072;     // PostToConnection larger: 413
  std::chrono::seconds idle_timeout{600};  // without a client message: close 1001
  std::chrono::seconds max_duration{7200}; // whole connection: close 1001
  std::chrono::milliseconds integration_timeout{29000};
  std::chrono::seconds handshake_timeout{30};
  // Bytes queued for one client before posts to it answer 429 LimitExceeded, AWS's only
  // backpressure signal.
  std::size_t max_send_queue_bytes = 8 * 1024 * 1024;
  // A client whose send queue stays full this long (every post to it refused) has stopped
  // reading: it is closed with 1008 (docs/protocol.md, "Slow clients"). 0: never.
  std::chrono::seconds send_queue_timeout{10};

  // Token buckets (messages a second, burst) applied to client frames before route selection;
  // a throttled frame is answered {"message":"Too Many Requests",...} and not routed. AWS has
  // only its account-wide 10,000/s (burst 5,000); these protect one node. Rate 0: off.
  double rate_limit = 1000;      // per connection
  double rate_burst = 2000;
  double ip_rate_limit = 0;      // per source IP, all its connections together (off: NAT)
  double ip_rate_burst = 0;      // 0: twice the rate
  std::size_t max_connections_per_ip = 0;  // handshakes over it: 429; 0: no cap
  // Management API calls per caller (source IP): over it 429 LimitExceededException. AWS's
  // account throttle is 10,000/s, burst 5,000.
  double management_rate_limit = 10000;
  double management_rate_burst = 5000;

  // The management listener (docs/security.md, "The management API"): @connections unsigned
  // for direct loopback peers (SigV4 when management_keys are set), /metrics, /inspect and
  // /healthz; nothing else. On the public port @connections always demands SigV4, whatever the
  // peer: a reverse proxy on this host makes every caller look local.
  std::string management_bind = "127.0.0.1";  // not loopback: management_keys required
  unsigned short management_port = 0;         // 0: any free port
  // The inspector at /inspect (on the management listener): the recent invocations it keeps,
  // whether it shows payloads, and the bytes one open page may have waiting before messages
  // to it are dropped.
  std::size_t inspect_events = 500;
  bool inspect_payloads = true;
  std::size_t inspect_buffer = 1 << 20;
  std::string web_dir;  // empty: the client embedded in the executable

  // Who gets in (docs/security.md).
  std::shared_ptr<const Authorizer> authorizer;  // $connect authorizer; null: anonymous
  std::vector<std::string> allowed_origins;      // browser Origins allowed; empty: any
  std::string tls_cert_file;  // PEM chain; with tls_key_file: the port speaks only TLS
  std::string tls_key_file;   // PEM private key
  // With a certificate: the port also speaks plain HTTP/WebSocket, told apart by the first
  // byte a client sends (0x16 opens a TLS handshake), so that ws:// for browsers and https://
  // for the local functions' SDKs share one host:port (the event's domainName).
  bool tls_optional = false;
  // Access key id -> secret. Not empty: every management call must be SigV4-signed (service
  // execute-api, `region`) with one of them, from loopback too.
  std::map<std::string, std::string> management_keys;
  // Keys Parley generated for the functions it runs (--lambda process): accepted like
  // management_keys, but their existence does not make signatures mandatory on the management
  // listener.
  std::map<std::string, std::string> function_keys;
  std::string region = "us-east-1";
};

}  // namespace gateway
