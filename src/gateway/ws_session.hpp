#pragma once
// Serves one WebSocket connection: runs $connect before the 101, then a read loop that routes
// each frame to its integration, and a write queue of shared, already-encoded frames.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "gateway/context.hpp"
#include "gateway/tls_socket.hpp"

namespace gateway {

// Takes over a stream on which an Upgrade request to the stage was read. Returns when the
// connection is over and $disconnect has been dispatched.
boost::asio::awaitable<void> serve_websocket(
    Context& ctx, LoopInbox& inbox, boost::beast::tcp_stream stream,
    boost::beast::http::request<boost::beast::http::string_body> request);
// The same over TLS (wss://).
boost::asio::awaitable<void> serve_websocket(
    Context& ctx, LoopInbox& inbox, TlsStream stream,
    boost::beast::http::request<boost::beast::http::string_body> request);

}  // namespace gateway
