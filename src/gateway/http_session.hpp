#pragma once
// One accepted TCP connection: HTTP/1.1 requests (browser client, management API, health)
// until it is upgraded to a WebSocket on the stage path.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gateway/context.hpp"

namespace gateway {

boost::asio::awaitable<void> serve_http(Context& ctx, boost::asio::ip::tcp::socket socket);

}  // namespace gateway
