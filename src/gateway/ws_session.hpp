#pragma once
// Serves one WebSocket connection: runs $connect before the 101, then a reader that routes each
// frame to its integration, and a write queue of shared, already-encoded frames. The session
// itself is in ws_session_impl.hpp, its members in one file per concern (ws_handshake.cpp,
// ws_reader.cpp, ws_writer.cpp, ws_close.cpp).
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "gateway/context.hpp"
#include "gateway/loop_sweep.hpp"
#include "gateway/tls_socket.hpp"

namespace gateway {

// Takes over a stream on which an Upgrade request to the stage was read. Returns when the
// connection is over and $disconnect has been dispatched. `inbox` and `sweep` are those of the
// socket loop the stream lives on.
boost::asio::awaitable<void> serve_websocket(
    Context& ctx, LoopInbox& inbox, LoopSweep& sweep, boost::beast::tcp_stream stream,
    boost::beast::http::request<boost::beast::http::string_body> request);
// The same over TLS (wss://).
boost::asio::awaitable<void> serve_websocket(
    Context& ctx, LoopInbox& inbox, LoopSweep& sweep, TlsStream stream,
    boost::beast::http::request<boost::beast::http::string_body> request);

}  // namespace gateway
