#pragma once
// A plain WebSocket's socket after the upgrade, typed on its loop's io_context executor instead
// of any_io_executor: 40 bytes instead of 88 in every session, and its pending readiness wait
// (an idle connection's only reactor operation) carries an 8-byte executor instead of a 56-byte
// polymorphic one (issue 18, docs/performance-notes.md). The HTTP stage keeps beast::tcp_stream.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace gateway {

using PlainSocket =
    boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;

// The io_context executor `ex` wraps. Every socket loop is an io_context: anything else is a
// programming error (std::logic_error).
boost::asio::io_context::executor_type loop_executor(const boost::asio::any_io_executor& ex);

// Moves the connection of `from` (the upgrade's socket) into `to`, an unopened socket of the
// same loop: its descriptor leaves one reactor registration for another.
void adopt(boost::asio::ip::tcp::socket&& from, PlainSocket& to, boost::system::error_code& ec);

}  // namespace gateway
