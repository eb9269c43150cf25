#pragma once
// The event loop both front ends of `parley chat` run.
#include <functional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "client/line_reader.hpp"

namespace client {

// Runs `main` on `io` until it ends; SIGINT and SIGTERM call `on_signal` (which winds `main`
// down). The reader is stopped either way, and an exception from `main` propagates.
void run_until_done(boost::asio::io_context& io, LineReader& reader,
                    boost::asio::awaitable<void> main, std::function<void()> on_signal);

}  // namespace client
