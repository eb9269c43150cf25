#pragma once
// One accepted TCP connection: HTTP/1.1 requests (browser client, management API, health)
// until it is upgraded to a WebSocket on the stage path.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gateway/context.hpp"
#include "gateway/loop_sweep.hpp"

namespace gateway {

// `inbox` and `sweep` are the socket thread's, for a connection that becomes a WebSocket.
boost::asio::awaitable<void> serve_http(Context& ctx, LoopInbox& inbox, LoopSweep& sweep,
                                        boost::asio::ip::tcp::socket socket);

}  // namespace gateway
