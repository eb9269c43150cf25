#include "gateway/plain_socket.hpp"

#include <unistd.h>

#include <stdexcept>

namespace gateway {

boost::asio::io_context::executor_type loop_executor(const boost::asio::any_io_executor& ex) {
  if (const auto* loop = ex.target<boost::asio::io_context::executor_type>()) return *loop;
  throw std::logic_error("a plain WebSocket session runs on an io_context's executor");
}

void adopt(boost::asio::ip::tcp::socket&& from, PlainSocket& to, boost::system::error_code& ec) {
  const auto protocol = from.local_endpoint(ec).protocol();
  if (ec) return;
  const auto fd = from.release(ec);
  if (ec) return;
  to.assign(protocol, fd, ec);
  if (ec) ::close(fd);
}

}  // namespace gateway
