#pragma once
// One accepted TCP connection: HTTP/1.1 requests (browser client, management API, health)
// until it is upgraded to a WebSocket on the stage path (public port only).
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gateway/context.hpp"
#include "gateway/loop_sweep.hpp"

namespace gateway {

// Which port a connection came in on. The public port serves the browser client, the
// WebSocket stage, /healthz and the management API to SigV4-signed callers only; the management
// listener serves the management API, /metrics, /inspect and /healthz, nothing else.
enum class Listener { public_port, management };

// `inbox` and `sweep` are the socket thread's, for a connection that becomes a WebSocket.
boost::asio::awaitable<void> serve_http(Context& ctx, LoopInbox& inbox, LoopSweep& sweep,
                                        boost::asio::ip::tcp::socket socket, Listener listener);

}  // namespace gateway
