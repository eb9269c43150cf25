#pragma once
// A Client on its own I/O thread, for synchronous callers: handlers run on a thread pool and may
// block, as Lambda functions do. Any number of threads may call it at once; they share one pool.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <memory>

#include "aws/http/client.hpp"

namespace aws::http {

class BlockingClient {
 public:
  explicit BlockingClient(ClientOptions options = {});
  ~BlockingClient();  // stops the I/O thread after the requests in flight
  BlockingClient(const BlockingClient&) = delete;
  BlockingClient& operator=(const BlockingClient&) = delete;

  // Blocks the calling thread until the response or a transport error. Never call it from the
  // I/O thread itself (from inside a coroutine run by `run`): it would wait for itself.
  core::result<Response> request(const Endpoint& ep, Request req);

  // Runs any coroutine on the I/O thread and waits for its result (exceptions propagate).
  template <class T>
  T run(boost::asio::awaitable<T> op) {
    return boost::asio::co_spawn(executor(), std::move(op), boost::asio::use_future).get();
  }

  boost::asio::any_io_executor executor() const;
  Client& client();  // use only from coroutines passed to `run`

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aws::http
