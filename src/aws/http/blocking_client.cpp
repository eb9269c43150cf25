#include "aws/http/blocking_client.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>
#include <thread>

namespace aws::http {
namespace net = boost::asio;

struct BlockingClient::Impl {
  net::io_context ioc{1};  // one thread: Client needs a single executor
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work{ioc.get_executor()};
  std::optional<Client> client;
  std::thread thread;
};

BlockingClient::BlockingClient(ClientOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->client.emplace(impl_->ioc.get_executor(), std::move(options));
  impl_->thread = std::thread([io = &impl_->ioc] { io->run(); });
}

BlockingClient::~BlockingClient() {
  impl_->work.reset();
  // Idle pooled sockets keep no work pending, so run() returns once requests in flight finish;
  // the Client (and its sockets) is destroyed after the thread stopped touching it.
  impl_->thread.join();
  impl_->client.reset();
}

net::any_io_executor BlockingClient::executor() const { return impl_->ioc.get_executor(); }

Client& BlockingClient::client() { return *impl_->client; }

core::result<Response> BlockingClient::request(const Endpoint& ep, Request req) {
  return run(impl_->client->request(ep, std::move(req)));
}

}  // namespace aws::http
