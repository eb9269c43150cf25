#include "client/run_loop.hpp"

#include <csignal>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/signal_set.hpp>

namespace client {
namespace net = boost::asio;

void run_until_done(net::io_context& io, LineReader& reader, net::awaitable<void> main,
                    std::function<void()> on_signal) {
  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&on_signal](boost::system::error_code ec, int) {
    if (!ec) on_signal();
  });
  net::co_spawn(io, std::move(main), [&io, &reader, &signals](std::exception_ptr e) {
    signals.cancel();
    reader.stop();
    io.stop();
    if (e) std::rethrow_exception(e);
  });
  io.run();
}

}  // namespace client
