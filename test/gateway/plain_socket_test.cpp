#include "gateway/plain_socket.hpp"

#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

namespace gateway {
namespace {

namespace net = boost::asio;
using net::ip::tcp;

// Typed on the io_context's executor: 40 bytes where tcp::socket (any_io_executor) takes 88,
// in every plain session (issue 18).
static_assert(sizeof(PlainSocket) < sizeof(tcp::socket));
static_assert(sizeof(PlainSocket) <= 40);

TEST(PlainSocket, LoopExecutorIsTheIoContextsAndNothingElse) {
  net::io_context loop;
  const net::any_io_executor ex = loop.get_executor();
  EXPECT_EQ(loop_executor(ex), loop.get_executor());
  const net::any_io_executor strand = net::make_strand(loop);
  EXPECT_THROW(loop_executor(strand), std::logic_error);
}

TEST(PlainSocket, AdoptKeepsTheConnection) {
  net::io_context loop;
  tcp::acceptor acceptor(loop, {net::ip::make_address("127.0.0.1"), 0});
  tcp::socket client(loop);
  client.connect(acceptor.local_endpoint());
  tcp::socket accepted = acceptor.accept();
  const auto peer = accepted.remote_endpoint();

  PlainSocket adopted(loop.get_executor());
  boost::system::error_code ec;
  adopt(std::move(accepted), adopted, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_FALSE(accepted.is_open());
  ASSERT_TRUE(adopted.is_open());
  EXPECT_EQ(adopted.remote_endpoint(), peer);

  net::write(adopted, net::buffer("ping", 4));
  char got[4];
  net::read(client, net::buffer(got));
  EXPECT_EQ(std::string(got, 4), "ping");
  // Readiness waits go through the loop's reactor, where the descriptor is registered anew.
  bool readable = false;
  adopted.async_wait(tcp::socket::wait_read, [&](boost::system::error_code e) { readable = !e; });
  net::write(client, net::buffer("pong", 4));
  loop.run();
  EXPECT_TRUE(readable);
}

TEST(PlainSocket, AdoptingAClosedSocketFails) {
  net::io_context loop;
  PlainSocket adopted(loop.get_executor());
  boost::system::error_code ec;
  adopt(tcp::socket(loop), adopted, ec);
  EXPECT_TRUE(ec);
  EXPECT_FALSE(adopted.is_open());
}

}  // namespace
}  // namespace gateway
